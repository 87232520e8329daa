import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/** The last snapshot of an election's chain (issue #16): its seq and hash, or null before the first. */
export async function lastResultSnapshot(db: Db, electionId: number): Promise<{ seq: number; hash: string } | null> {
  const row = await db.selectFrom('result_snapshots').select(['seq', 'hash']).where('election_id', '=', electionId).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ?? null;
}

/** Records a published snapshot's signed header. A second header at the same place fails (the chain does not fork). */
export async function insertResultSnapshot(db: Db, row: { electionId: number; seq: number; version: number; hash: string; prevHash: string; header: unknown }): Promise<void> {
  await db
    .insertInto('result_snapshots')
    .values({ election_id: row.electionId, seq: row.seq, version: row.version, hash: row.hash, prev_hash: row.prevHash, header: JSON.stringify(row.header) })
    .execute();
}

/** Signed headers of an election's chain after `afterSeq`, in order, at most `limit`. */
export async function listResultSnapshots(db: Db, electionId: number, afterSeq = 0, limit = 1000): Promise<unknown[]> {
  const rows = await db.selectFrom('result_snapshots').select('header').where('election_id', '=', electionId).where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  return rows.map((r) => r.header);
}

/** After a signed tally is published: the receipts it counted say so, and in which snapshot. Returns how many. */
export async function finishCountingReceiptsIn(db: Db, seq: number): Promise<number> {
  const r = await sql`update receipts set status = 'counted', counted_in = ${seq} where open and status = 'counting'`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** The snapshot seq that first counted a receipt (hash hex), or null. */
export async function receiptCountedIn(db: Db, hash: string): Promise<number | null> {
  const { rows } = await sql<{ counted_in: number | null }>`select counted_in from receipts where receipt_hash = decode(${hash}, 'hex')`.execute(db);
  return rows[0]?.counted_in ?? null;
}
