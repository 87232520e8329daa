import type { Redis } from 'ioredis';

/**
 * Pending claims (issue #8): a pre-check claim (voted.ts) is provisional until its batch is
 * in the votes queue. The claim script records each claimed contest here; the vote service
 * confirms a batch's claims once the batch is queued (one MULTI per batch); the worker's
 * sweep releases claims never confirmed (voted.ts, `sweepStaleClaims`), so a vote service
 * killed between claiming and queueing leaves nobody refused as "voted" for good.
 *
 * `votes:claims` is a sorted set, member `<election>:<member>:<contest>`, score the claim's
 * time (ms, Redis's clock); `votes:claim-receipts` maps the same member to the contest
 * ballot's receipt hash (the marker to undo). Never a choice; while the claim waits the queue
 * holds the same member id beside the same receipt hash anyway, and both go once confirmed.
 */

/** `<prefix>:votes:claims`. */
export function pendingClaimsKey(prefix: string): string {
  return `${prefix}:votes:claims`;
}

/** `<prefix>:votes:claim-receipts`. */
export function claimReceiptsKey(prefix: string): string {
  return `${prefix}:votes:claim-receipts`;
}

/** One claimed contest as the pending set names it. */
export function claimMember(electionId: number, memberId: string, contestId: number): string {
  return `${electionId}:${memberId}:${contestId}`;
}

/** The parts of a pending set member; null for anything else. */
export function parseClaimMember(m: string): { electionId: number; memberId: string; contestId: number } | null {
  const x = /^(\d+):(\d+):(\d+)$/.exec(m);
  return x ? { electionId: Number(x[1]), memberId: x[2]!, contestId: Number(x[3]) } : null;
}

/**
 * A claim younger than this that holds a contest is another request still on its way to the
 * queue (a double submission): 409. Older and still unconfirmed, its batch was most likely
 * never queued: 503 + Retry-After until the sweep releases it.
 */
export const CLAIM_PROVISIONAL_AFTER_MS = 500;

/** How often the worker sweeps for claims older than `timeoutSeconds` (VOTE_CLAIM_TIMEOUT_SECONDS). */
export function claimSweepIntervalMs(timeoutSeconds: number): number {
  return Math.min(15_000, Math.max(500, Math.round((timeoutSeconds * 1000) / 4)));
}

/**
 * The vote service, once a batch is in the queue: its claims are no longer provisional.
 * One MULTI (ZREM + HDEL) per batch.
 */
export async function confirmClaims(redis: Redis, prefix: string, members: readonly string[]): Promise<void> {
  if (members.length === 0) return;
  await redis.multi().zrem(pendingClaimsKey(prefix), ...members).hdel(claimReceiptsKey(prefix), ...members).exec();
}

/** Claims waiting for confirmation (tests, metrics). */
export async function pendingClaimCount(redis: Redis, prefix: string): Promise<number> {
  return redis.zcard(pendingClaimsKey(prefix));
}
