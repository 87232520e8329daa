import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/** A sealed contest ballot: which key sealed it, and the bytes (iv ‖ ciphertext ‖ tag). */
export interface SealedBallot {
  contestId: number;
  keyId: string;
  sealed: Buffer;
}

/** Inserts sealed ballots in the order given, in one statement (callers shuffle first). */
export async function insertSealedBallots(db: Db, rows: readonly SealedBallot[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into sealed_ballots (contest_id, key_id, sealed)
    select c, k, decode(s, 'base64')
    from unnest(${rows.map((r) => r.contestId)}::int[], ${rows.map((r) => r.keyId)}::text[], ${rows.map((r) => r.sealed.toString('base64'))}::text[]) with ordinality as t(c, k, s, n)
    order by n`.execute(db);
}

/** Sealed ballots waiting for release, per contest (all contests, or these). */
export async function pendingByContest(db: Db, contestIds?: readonly number[]): Promise<Map<number, number>> {
  const filter = contestIds ? sql`where contest_id = any(${[...contestIds]}::int[])` : sql``;
  const { rows } = await sql<{ contest_id: number; n: number }>`select contest_id, count(*)::int n from sealed_ballots ${filter} group by 1`.execute(db);
  return new Map(rows.map((r) => [r.contest_id, r.n]));
}

/**
 * Within a release transaction: waits for any other release of this contest (a transaction
 * advisory lock: it writes no row) and returns how many sealed ballots the contest holds.
 */
export async function lockContestForRelease(trx: Transaction<Database>, contestId: number): Promise<number> {
  await sql`select pg_advisory_xact_lock(hashtext('primaries:release'), ${contestId})`.execute(trx);
  const { rows } = await sql<{ n: number }>`select count(*)::int n from sealed_ballots where contest_id = ${contestId}`.execute(trx);
  return rows[0]?.n ?? 0;
}

/**
 * Within a release transaction, after lockContestForRelease: deletes `n` sealed ballots of
 * the contest and returns them. (No row locks before the delete: the advisory lock keeps
 * other releases of the contest out, and the worker's role may not lock rows for update.)
 */
export async function takeSealedBallots(trx: Transaction<Database>, contestId: number, n: number): Promise<SealedBallot[]> {
  const { rows } = await sql<{ key_id: string; sealed: Buffer }>`
    delete from sealed_ballots where ctid = any(array(select ctid from sealed_ballots where contest_id = ${contestId} limit ${n}))
    returning key_id, sealed`.execute(trx);
  return rows.map((r) => ({ contestId, keyId: r.key_id, sealed: r.sealed }));
}

/** Every sealed ballot of these contests (the receipts' sweep opens them to see which are still pending). */
export async function sealedBallotsOf(db: Db, contestIds: readonly number[]): Promise<SealedBallot[]> {
  if (contestIds.length === 0) return [];
  const { rows } = await sql<{ contest_id: number; key_id: string; sealed: Buffer }>`
    select contest_id, key_id, sealed from sealed_ballots where contest_id = any(${[...contestIds]}::int[])`.execute(db);
  return rows.map((r) => ({ contestId: r.contest_id, keyId: r.key_id, sealed: r.sealed }));
}
