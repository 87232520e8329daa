import type { Queue } from 'bullmq';
import type { Counter } from 'prom-client';
import { type DeadVotes, jobId } from '@primaries/queue';

/**
 * Dead letters: votes that can never be recorded, kept on the `votes-dead` queue for an
 * operator (`pnpm primaries dead-letters list|retry|purge`). They hold what the votes queue
 * held — member ids beside sealed ballots, never marks in clear — and expire after
 * DEAD_LETTER_TTL_SECONDS (the worker's cleaner, below).
 */

export interface DeadLetterDeps {
  dead: Queue;
  deadCounter: Counter<'reason'>;
}

/** Copies votes to the dead-letter queue; the job id makes a retried batch do it once. */
export async function deadLetter(deps: DeadLetterDeps, batchId: string, part: string, reason: string, votes: unknown[]): Promise<void> {
  if (votes.length === 0) return;
  const payload: DeadVotes = { batchId, reason, votes };
  await deps.dead.add('dead-votes', payload, { jobId: jobId('dead', batchId, part) });
  deps.deadCounter.inc({ reason }, votes.length);
}

/** Dead letters grouped by reason, one job per reason (`dead-<batch>-<reason>`). */
export async function deadLetterByReason(deps: DeadLetterDeps, batchId: string, bad: ReadonlyArray<{ vote: unknown; reason: string }>): Promise<void> {
  const byReason = new Map<string, unknown[]>();
  for (const b of bad) byReason.set(b.reason, [...(byReason.get(b.reason) ?? []), b.vote]);
  for (const [reason, votes] of byReason) await deadLetter(deps, batchId, reason.replace(/\s+/g, '_'), reason, votes);
}

/** Removes dead letters older than `ttlSeconds`; returns how many. */
export async function expireDeadLetters(dead: Queue, ttlSeconds: number): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = await dead.clean(ttlSeconds * 1000, 1000, 'wait');
    removed += ids.length;
    if (ids.length < 1000) return removed;
  }
}
