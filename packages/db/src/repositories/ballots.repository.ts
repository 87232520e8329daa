import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/** An anonymous ballot to store: no member, no time, no receipt. */
export interface NewAnonymousBallot {
  contestId: number;
  /** Candidate ids, sorted. */
  marks: readonly number[];
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
  const result = await sql`
    insert into ballots (contest_id, marks)
    select c, m::int[]
    from unnest(${contestIds}::int[], ${marks}::text[]) with ordinality as t(c, m, n)
    order by n`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
