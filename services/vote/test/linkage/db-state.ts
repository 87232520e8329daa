import { type Kysely, sql } from 'kysely';
import type { Database } from '@primaries/db';

/** What a DBA reads, system columns included: xmin (as a number: xid order is commit-start order), ctid (page, offset). */
export interface DbState {
  ballots: Array<{ id: string; contest_id: number; marks: number[]; xmin: number; page: number; off: number }>;
  participation: Array<{ member_id: string; contest_id: number; xmin: number; page: number; off: number; recorded_hour: Date }>;
  receipts: Array<{ hash: string; contest_id: number; status: string; xmin: number }>;
  sealed: Array<{ contest_id: number; key_id: string; sealed: Buffer; xmin: number }>;
}

/** Reads every row of the voting tables with its system columns. */
export async function readDbState(db: Kysely<Database>): Promise<DbState> {
  const [ballots, participation, receipts, sealed] = await Promise.all([
    sql<DbState['ballots'][number]>`
      select id, contest_id, marks, xmin::text::bigint::float8 xmin, (ctid::text::point)[0]::int page, (ctid::text::point)[1]::int off from ballots`.execute(db),
    sql<DbState['participation'][number]>`
      select member_id::text, contest_id, xmin::text::bigint::float8 xmin, (ctid::text::point)[0]::int page, (ctid::text::point)[1]::int off, recorded_hour from participation`.execute(db),
    sql<DbState['receipts'][number]>`select encode(receipt_hash, 'hex') hash, contest_id, status, xmin::text::bigint::float8 xmin from receipts`.execute(db),
    sql<DbState['sealed'][number]>`select contest_id, key_id, sealed, xmin::text::bigint::float8 xmin from sealed_ballots`.execute(db),
  ]);
  return { ballots: ballots.rows, participation: participation.rows, receipts: receipts.rows, sealed: sealed.rows };
}
