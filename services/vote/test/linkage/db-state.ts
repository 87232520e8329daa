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

/** One heap record of the write-ahead log (pg_walinspect): which transaction inserted or deleted which tuple. */
export interface WalRecord {
  xid: number;
  op: 'insert' | 'delete';
  relfilenode: number;
  blk: number;
  off: number;
}

/**
 * The heap records this database wrote to the WAL since `from` (what a holder of the WAL
 * archive reads, tuple data aside), and the position to read on from. Read in short
 * steps: a checkpoint may recycle older segments.
 */
export async function readWal(db: Kysely<Database>, from: string): Promise<{ records: WalRecord[]; lsn: string }> {
  // The flushed position: pg_walinspect reads nothing beyond it.
  const { rows: pos } = await sql<{ lsn: string; oid: number; ahead: boolean }>`
    select pg_current_wal_flush_lsn()::text lsn, pg_current_wal_flush_lsn() > ${from}::pg_lsn ahead,
           (select oid::int from pg_database where datname = current_database()) oid`.execute(db);
  const { lsn, oid, ahead } = pos[0]!;
  if (!ahead) return { records: [], lsn: from };
  const { rows } = await sql<{ xid: number; record_type: string; description: string; block_ref: string }>`
    select xid::text::bigint::float8 xid, record_type, description, block_ref
    from pg_get_wal_records_info(${from}::pg_lsn, ${lsn}::pg_lsn)
    where resource_manager = 'Heap' and record_type ~ '^(INSERT|DELETE)'`.execute(db);
  const records: WalRecord[] = [];
  for (const r of rows) {
    const rel = /rel \d+\/(\d+)\/(\d+) fork main blk (\d+)/.exec(r.block_ref);
    const off = /off (\d+)/.exec(r.description);
    if (!rel || !off || Number(rel[1]) !== oid) continue;
    records.push({ xid: r.xid, op: r.record_type.startsWith('DELETE') ? 'delete' : 'insert', relfilenode: Number(rel[2]), blk: Number(rel[3]), off: Number(off[1]) });
  }
  return { records, lsn };
}

/** The relfilenodes of the voting tables (to read WAL records by table). */
export async function relfilenodes(db: Kysely<Database>): Promise<Record<'participation' | 'sealed_ballots' | 'ballots', number>> {
  const { rows } = await sql<{ relname: string; relfilenode: number }>`
    select relname, relfilenode::int from pg_class where relname in ('participation', 'sealed_ballots', 'ballots') and relkind = 'r'`.execute(db);
  const by = Object.fromEntries(rows.map((r) => [r.relname, r.relfilenode]));
  return { participation: by.participation!, sealed_ballots: by.sealed_ballots!, ballots: by.ballots! };
}
