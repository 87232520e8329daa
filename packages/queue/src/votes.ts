import { z } from 'zod';

/**
 * The `votes` queue: one job carries a whole micro-batch of votes (everything the vote
 * service accepted in one event-loop tick, up to VOTE_BATCH_MAX). BullMQ's cost is per
 * job, so this is what lets one Redis keep up (measured in development: docs/voting.md).
 */

/**
 * One accepted vote in one contest. Its marks are sealed (AES-256-GCM, @primaries/sealing):
 * the queue, its job history, the dead letters and Redis's AOF and RDB files only ever hold
 * a member id beside a sealed ballot (issue #9, docs/secrecy.md).
 */
export const queuedVoteSchema = z.object({
  /** members.id (bigint as a decimal string): who took part. */
  memberId: z.string().regex(/^[1-9][0-9]{0,18}$/),
  contestId: z.number().int().positive(),
  /** SHA-256 of this contest ballot's receipt, hex (the sealed ballot holds it too). */
  receiptHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The sealed contest ballot, `<keyId>.<base64url>`: marks and receipt hash inside. */
  sealed: z.string().regex(/^[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{40,4000}$/),
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
 * completes or finally fails (the worker dead-letters what it cannot record before its
 * last failure). A job holds member ids beside sealed ballots only, but who voted is no
 * business of Redis once recorded either.
 */
export function voteBatchJobOptions() {
  return {
    attempts: VOTE_BATCH_ATTEMPTS,
    backoff: { type: 'exponential' as const, delay: 500 },
    removeOnComplete: true,
    removeOnFail: true,
  };
}
