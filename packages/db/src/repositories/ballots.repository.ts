import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/** An anonymous ballot to store: no member, no time. */
export interface NewAnonymousBallot {
  contestId: number;
  /** Candidate ids, sorted. */
  marks: readonly number[];
  /** SHA-256 of the receipt, hex. */
  receiptHash: string;
}

/**
 * Inserts ballots in the order given, in one statement (unnest arrays). Callers shuffle
 * first so that row order says nothing about who voted when.
 */
export async function insertBallots(db: Db, ballots: readonly NewAnonymousBallot[]): Promise<number> {
  if (ballots.length === 0) return 0;
  const contestIds = ballots.map((b) => b.contestId);
  // int[] per row: passed as array literals and cast, since unnest flattens 2-D arrays.
  const marks = ballots.map((b) => `{${b.marks.join(',')}}`);
  const hashes = ballots.map((b) => b.receiptHash);
  const result = await sql`
    insert into ballots (contest_id, marks, receipt_hash)
    select c, m::int[], decode(h, 'hex')
    from unnest(${contestIds}::int[], ${marks}::text[], ${hashes}::text[]) with ordinality as t(c, m, h, n)
    order by n`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** Which of these receipt hashes (hex) have at least one recorded ballot. */
export async function recordedReceiptHashes(db: Db, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const { rows } = await sql<{ h: string }>`
    select distinct encode(receipt_hash, 'hex') as h from ballots
    where receipt_hash = any(select decode(x, 'hex') from unnest(${[...hashes]}::text[]) as x)`.execute(db);
  return new Set(rows.map((r) => r.h));
}

/** Number of ballots recorded under one receipt hash (hex). */
export async function countBallotsByReceipt(db: Db, hash: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from ballots where receipt_hash = decode(${hash}, 'hex')`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
