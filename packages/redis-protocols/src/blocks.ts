import type { Redis } from 'ioredis';

/**
 * Members blocked from voting by the party-control committee (issue #14), as the vote path
 * checks them: a set per election of member ids, read inside the claim script (voted.ts), so
 * a block costs no extra round trip per ballot and holds for sessions already open.
 *
 * Postgres (`member_blocks`) is the record; this set is its copy. It holds the sentinel
 * `BLOCKS_SEEDED` once the vote service has copied every block in: a set without it (Redis
 * lost its data, or nobody seeded it yet) makes the claim answer "unseeded", and the vote
 * service seeds it from Postgres and claims again. The console adds a new block to the set
 * inside the decision's transaction (before it commits), seeded or not, so a seed that read
 * Postgres a moment before the block committed cannot miss it.
 */
export const BLOCKS_SEEDED = '-';

/** `<prefix>:blocked:<electionId>`. */
export function blockedKey(prefix: string, electionId: number): string {
  return `${prefix}:blocked:${electionId}`;
}

/** Copies an election's blocks from Postgres and marks the set seeded. */
export async function seedBlocks(redis: Redis, prefix: string, electionId: number, memberIds: readonly string[]): Promise<void> {
  await redis.sadd(blockedKey(prefix, electionId), BLOCKS_SEEDED, ...memberIds);
}

/** Adds one block (the console, inside the decision's transaction). */
export async function addBlock(redis: Redis, prefix: string, electionId: number, memberId: string): Promise<void> {
  await redis.sadd(blockedKey(prefix, electionId), memberId);
}

/** A member's block as the set tells it: blocked, clear, or unknown until the set is seeded. */
export async function blockState(redis: Redis, prefix: string, electionId: number, memberId: string): Promise<'blocked' | 'clear' | 'unseeded'> {
  const [seeded, blocked] = (await redis.smismember(blockedKey(prefix, electionId), BLOCKS_SEEDED, memberId));
  if (blocked === 1) return 'blocked';
  return seeded === 1 ? 'clear' : 'unseeded';
}
