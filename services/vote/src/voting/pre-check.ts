import type { Redis } from 'ioredis';
import { RECEIPT_MARKER_TTL_SECONDS, receiptKey } from '@primaries/queue';

/**
 * The fast double-vote filter: a Redis set per member and election holding the contest
 * ids already voted. Claiming all contests of a body and marking its receipt queued is one
 * Lua script, so it is atomic and all-or-none. Postgres's participation primary key stays
 * the real guard (the worker inserts with ON CONFLICT DO NOTHING).
 */

/** How long a member's voted set lives: longer than any voting window. */
export const VOTED_SET_TTL_SECONDS = 30 * 86400;

export function votedKey(prefix: string, electionId: number, memberId: string): string {
  return `${prefix}:voted:${electionId}:${memberId}`;
}

// KEYS[1] voted set, KEYS[2..] the receipt markers; ARGV[1] set TTL, ARGV[2] marker TTL,
// ARGV[3..] contest ids. Returns 0 when claimed, else the first contest id already voted.
const CLAIM = `
for i = 3, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then return tonumber(ARGV[i]) end
end
for i = 3, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], 'q', 'EX', ARGV[2]) end
return 0`;

// Undo a claim whose batch could not be queued.
const RELEASE = `
for i = 1, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`;

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;

/**
 * The scripts as commands on this client: EVALSHA (loaded on first use) instead of sending
 * the script text, and having Redis hash it, on every vote. The key count is the first
 * argument (one receipt marker per contest).
 */
function script(redis: Redis, name: 'primariesVoteClaimN' | 'primariesVoteReleaseN', lua: string): ScriptFn {
  const r = redis as unknown as Record<string, ScriptFn | undefined>;
  if (!r[name]) redis.defineCommand(name, { lua });
  return r[name] as ScriptFn;
}

/** Claims every contest of one body (receipt hashes in contest order); null on success, else the first contest already voted. */
export async function claimContests(
  redis: Redis,
  prefix: string,
  electionId: number,
  memberId: string,
  contestIds: readonly number[],
  receiptHashes: readonly string[],
): Promise<number | null> {
  const r = await script(redis, 'primariesVoteClaimN', CLAIM).call(
    redis,
    1 + receiptHashes.length,
    votedKey(prefix, electionId, memberId),
    ...receiptHashes.map((h) => receiptKey(prefix, h)),
    VOTED_SET_TTL_SECONDS,
    RECEIPT_MARKER_TTL_SECONDS,
    ...contestIds,
  );
  return Number(r) === 0 ? null : Number(r);
}

/** Undoes claimContests (the vote could not be queued, so the voter may try again). */
export async function releaseContests(
  redis: Redis,
  prefix: string,
  electionId: number,
  memberId: string,
  contestIds: readonly number[],
  receiptHashes: readonly string[],
): Promise<void> {
  const keys = [votedKey(prefix, electionId, memberId), ...receiptHashes.map((h) => receiptKey(prefix, h))];
  await script(redis, 'primariesVoteReleaseN', RELEASE).call(redis, keys.length, ...keys, ...contestIds);
}

/** Contest ids the pre-check set holds for a member. */
export async function claimedContests(redis: Redis, prefix: string, electionId: number, memberId: string): Promise<number[]> {
  return (await redis.smembers(votedKey(prefix, electionId, memberId))).map(Number);
}

/** Adds contests known from Postgres (e.g. a paper vote) to the set, so POST refuses them fast. */
export async function rememberVoted(redis: Redis, prefix: string, electionId: number, memberId: string, contestIds: readonly number[]): Promise<void> {
  if (contestIds.length === 0) return;
  const key = votedKey(prefix, electionId, memberId);
  await redis.multi().sadd(key, ...contestIds).expire(key, VOTED_SET_TTL_SECONDS).exec();
}
