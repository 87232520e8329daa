import { z } from 'zod';

/**
 * The `votes` queue: one job carries a whole micro-batch of votes (everything the vote
 * service accepted in one event-loop tick, up to VOTE_BATCH_MAX). BullMQ's cost is per
 * job, so this is what lets one Redis keep up (shared/MEASUREMENTS.md).
 */

/** One accepted vote in one contest. The member id is only here until the batch is recorded. */
export const queuedVoteSchema = z.object({
  /** members.id (bigint as a decimal string). */
  memberId: z.string().regex(/^[1-9][0-9]{0,18}$/),
  contestId: z.number().int().positive(),
  /** Candidate ids, distinct, sorted ascending. */
  marks: z.array(z.number().int().positive()).min(1).max(200),
  /** SHA-256 of the receipt, hex. */
  receiptHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type QueuedVote = z.infer<typeof queuedVoteSchema>;

export const voteBatchSchema = z.object({
  batchId: z.string().uuid(),
  /** Validated vote by vote in the worker: one bad vote must not sink the others. */
  votes: z.array(z.unknown()).min(1).max(5000),
});
export type VoteBatch = { batchId: string; votes: QueuedVote[] };

/** A dead-lettered batch or part of one, for an operator to inspect or replay. */
export interface DeadVotes {
  batchId: string;
  reason: string;
  votes: unknown[];
}

/** Name of the job kind on the votes queue. */
export const VOTE_BATCH_JOB = 'vote-batch';

/** Attempts for a batch before it is dead-lettered (exponential backoff from 500 ms: ~4 min in all). */
export const VOTE_BATCH_ATTEMPTS = 10;

/**
 * Options of every vote batch job: retried with backoff; removed from Redis as soon as it
 * completes or finally fails, since a job holds member ids beside marks (the worker
 * dead-letters what it cannot record before its last failure).
 */
export function voteBatchJobOptions() {
  return {
    attempts: VOTE_BATCH_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: 500 },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
