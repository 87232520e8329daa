import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Notes, in a batch's own transaction, which of its votes (indexes into the job's list)
 * that transaction recorded. A retry after the commit reads it back instead of guessing
 * from conflicts, so the batch's receipts come out the same however often it runs.
 */
export async function noteRecordedVotes(trx: Db, batchId: string, indexes: readonly number[]): Promise<void> {
  await sql`insert into recorded_vote_batches (batch_id, recorded) values (${batchId}::uuid, ${[...indexes]}::int[])`.execute(trx);
}

/** The indexes an earlier try of this batch recorded, or null when no try committed (or its receipts are written). */
export async function recordedVotesOf(db: Db, batchId: string): Promise<number[] | null> {
  const { rows } = await sql<{ recorded: number[] }>`select recorded from recorded_vote_batches where batch_id = ${batchId}::uuid`.execute(db);
  return rows[0]?.recorded ?? null;
}

/** Drops the note once the batch's receipts are written (in the same transaction). */
export async function forgetRecordedVotes(trx: Db, batchId: string): Promise<void> {
  await sql`delete from recorded_vote_batches where batch_id = ${batchId}::uuid`.execute(trx);
}
