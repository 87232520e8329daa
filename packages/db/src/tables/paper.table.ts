import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Timestamp } from './election.table';

export interface PollingStationTable {
  id: Generated<number>;
  election_id: number;
  district_id: number;
  code: string;
  settlement: string;
  address: string | null;
  opens_at: Timestamp;
  closes_at: Timestamp;
}
export type PollingStation = Selectable<PollingStationTable>;
export type NewPollingStation = Insertable<PollingStationTable>;

export type ProtocolStatus = 'draft' | 'submitted' | 'accepted' | 'rejected';
export interface PaperProtocolTable {
  id: Generated<number>;
  polling_station_id: number;
  contest_id: number;
  ballots_issued: number;
  ballots_cast: number;
  ballots_spoiled: Generated<number>;
  status: Generated<ProtocolStatus>;
  entered_by: string;
  entered_at: Generated<Timestamp>;
  accepted_at: Timestamp | null;
  /** Issue #15: ballots the station received, when submitted, who decided, and why it was returned. */
  ballots_received: Generated<number>;
  submitted_at: Timestamp | null;
  decided_by: string | null;
  returned_at: Timestamp | null;
  return_reason: string | null;
}
export type PaperProtocol = Selectable<PaperProtocolTable>;
export type NewPaperProtocol = Insertable<PaperProtocolTable>;
export type PaperProtocolUpdate = Updateable<PaperProtocolTable>;

export interface PaperProtocolVoteTable {
  protocol_id: number;
  candidate_id: number;
  votes: number;
}
export type PaperProtocolVote = Selectable<PaperProtocolVoteTable>;
