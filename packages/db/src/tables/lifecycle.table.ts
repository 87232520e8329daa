import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Timestamp } from './election.table';

/** An organizer's request to close the window early; another organizer confirms it (issue #13). */
export interface ElectionCloseRequestTable {
  id: Generated<number>;
  election_id: number;
  requested_by: number;
  reason: string;
  requested_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Timestamp;
  confirmed_by: number | null;
  confirmed_at: Timestamp | null;
}
export type ElectionCloseRequest = Selectable<ElectionCloseRequestTable>;

/** A contest's final protocol in one format, written once at publication (issue #13). */
export interface ProtocolTable {
  election_id: number;
  contest_id: number;
  format: 'csv' | 'pdf';
  content: Buffer;
  sha256: string;
  snapshot_version: number;
  snapshot_sha256: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
export type Protocol = Selectable<ProtocolTable>;
