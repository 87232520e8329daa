import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Timestamp } from './election.table';

/** One published results snapshot's signed header (issue #16), the chain per election. */
export interface ResultSnapshotTable {
  election_id: number;
  /** N in the election's chain, from 1. */
  seq: number;
  version: number;
  hash: string;
  prev_hash: string;
  header: ColumnType<unknown, string, string>;
  created_at: Generated<Timestamp>;
}
export type ResultSnapshotRow = Selectable<ResultSnapshotTable>;
