import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Timestamp } from './election.table';

/** A member on a polling station's list: votes on paper there, not online (issue #15). */
export interface PaperVoterTable {
  election_id: number;
  member_id: string;
  polling_station_id: number;
}

/** "Received a paper ballot" for the contests not yet voted; undoable until handed over. */
export interface PaperCheckinTable {
  id: Generated<number>;
  election_id: number;
  polling_station_id: number;
  member_id: string;
  contest_ids: number[];
  checked_in_by: number;
  checked_in_at: Generated<Timestamp>;
  handed_over_at: Timestamp | null;
}
export type PaperCheckin = Selectable<PaperCheckinTable>;

/** One commission account's entry of a station's protocol for a contest. */
export interface PaperProtocolEntryTable {
  id: Generated<number>;
  polling_station_id: number;
  contest_id: number;
  staff_id: number;
  ballots_received: number;
  ballots_issued: number;
  ballots_found: number;
  ballots_spoiled: number;
  /** candidate id → votes */
  votes: ColumnType<Record<string, number>, string, string>;
  entered_at: Generated<Timestamp>;
}
export type PaperProtocolEntry = Selectable<PaperProtocolEntryTable>;

export type ScanMediaType = 'application/pdf' | 'image/jpeg' | 'image/png';
/** The signed paper protocol's scan. */
export interface PaperProtocolScanTable {
  protocol_id: number;
  media_type: ScanMediaType;
  sha256: string;
  size: number;
  content: Buffer;
  uploaded_by: number;
  uploaded_at: Generated<Timestamp>;
}
