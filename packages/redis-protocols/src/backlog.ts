import type { Redis } from 'ioredis';
import { defineScript, runScript } from './script';

/**
 * The votes backlog: a counter of votes claimed or queued but not yet recorded. The vote
 * service counts a body's votes inside its claim script (voted.ts), before the batch is
 * queued (so the worker's decrement never comes first); releasing a claim that was never
 * queued takes them back (the vote route when the add fails, the worker's sweep when a vote
 * service died). The worker takes a batch off once, however often the batch is retried. The
 * vote service sheds load (503) above VOTE_BACKLOG_LIMIT.
 */

/** `<prefix>:votes:backlog`. */
export function voteBacklogKey(prefix: string): string {
  return `${prefix}:votes:backlog`;
}

// `<prefix>:votes:settled:<batchId>`: the batch was taken off the counter (kept a day).
function settledKey(prefix: string, batchId: string): string {
  return `${prefix}:votes:settled:${batchId}`;
}

// KEYS: counter, settled marker. ARGV: votes in the batch.
const SETTLE_ONCE = defineScript(
  'backlog-settle-once',
  2,
  `
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', 86400) then
  redis.call('DECRBY', KEYS[1], ARGV[1])
end
return 1`,
);

/** `votes` are about to be queued without a claim (an operator's dead-letter retry). */
export async function countQueuedVotes(redis: Redis, prefix: string, votes: number): Promise<void> {
  await redis.incrby(voteBacklogKey(prefix), votes);
}

/** The add failed, so the votes counted just before are not queued after all. */
export async function uncountQueuedVotes(redis: Redis, prefix: string, votes: number): Promise<void> {
  await redis.decrby(voteBacklogKey(prefix), votes);
}

/** The worker: a batch left the queue (recorded or dead-lettered); counted off once per batch id. */
export async function settleVoteBatch(redis: Redis, prefix: string, batchId: string, votes: number): Promise<void> {
  await runScript(redis, SETTLE_ONCE, [voteBacklogKey(prefix), settledKey(prefix, batchId)], [votes]);
}

/** The backlog as the counter holds it (never below 0). */
export async function readVoteBacklog(redis: Redis, prefix: string): Promise<number> {
  return Math.max(0, Number((await redis.get(voteBacklogKey(prefix))) ?? 0));
}
