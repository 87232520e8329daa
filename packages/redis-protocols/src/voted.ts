import type { Redis } from 'ioredis';
import { RECEIPT_MARKER_TTL_SECONDS, RECEIPT_QUEUED, receiptKey } from './receipts';
import { defineScript, runScript } from './script';

/**
 * The fast double-vote filter: a set per member and election holding the contest ids
 * already voted. Claiming all contests of a body and marking its receipts (one per contest
 * ballot, issue #9) queued is one script, so it is atomic and all-or-none. Postgres's participation primary key stays the
 * real guard (the worker inserts with ON CONFLICT DO NOTHING).
 */

/** How long a member's voted set lives: longer than any voting window. */
const VOTED_SET_TTL_SECONDS = 30 * 86400;

/** `<prefix>:voted:<electionId>:<memberId>`. */
export function votedKey(prefix: string, electionId: number, memberId: string): string {
  return `${prefix}:voted:${electionId}:${memberId}`;
}

// KEYS: voted set, then the receipt markers. ARGV: set TTL, marker TTL, marker value, contest ids…
// → 0 when claimed, else the first contest id already voted.
const CLAIM = defineScript(
  'voted-claim',
  'variable',
  `
for i = 4, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then return tonumber(ARGV[i]) end
end
for i = 4, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], ARGV[3], 'EX', ARGV[2]) end
return 0`,
);

// Undoes a claim whose batch could not be queued. KEYS: voted set, then the receipt markers. ARGV: contest ids…
const RELEASE = defineScript(
  'voted-release',
  'variable',
  `
for i = 1, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`,
);

/** A member's ballot in one election, as the pre-check keys it. */
interface VoterBallot {
  electionId: number;
  memberId: string;
  contestIds: readonly number[];
  /** One receipt hash per contest, in the same order. */
  receiptHashes: readonly string[];
}

function claimKeys(prefix: string, b: VoterBallot): string[] {
  return [votedKey(prefix, b.electionId, b.memberId), ...b.receiptHashes.map((h) => receiptKey(prefix, h))];
}

/** Claims every contest of one body and marks its receipts queued; null on success, else the first contest already voted. */
export async function claimContests(redis: Redis, prefix: string, b: VoterBallot): Promise<number | null> {
  const keys = claimKeys(prefix, b);
  const r = Number(await runScript(redis, CLAIM, keys, [VOTED_SET_TTL_SECONDS, RECEIPT_MARKER_TTL_SECONDS, RECEIPT_QUEUED, ...b.contestIds]));
  return r === 0 ? null : r;
}

/** Undoes claimContests (the vote could not be queued, so the voter may try again). */
export async function releaseContests(redis: Redis, prefix: string, b: VoterBallot): Promise<void> {
  await runScript(redis, RELEASE, claimKeys(prefix, b), [...b.contestIds]);
}

/** Contest ids the pre-check set holds for a member. */
export async function claimedContests(redis: Redis, prefix: string, electionId: number, memberId: string): Promise<number[]> {
  return (await redis.smembers(votedKey(prefix, electionId, memberId))).map(Number);
}

/** Adds contests known from Postgres (e.g. a paper vote) to the set, so a vote for them is refused fast. */
export async function rememberVoted(redis: Redis, prefix: string, electionId: number, memberId: string, contestIds: readonly number[]): Promise<void> {
  if (contestIds.length === 0) return;
  const key = votedKey(prefix, electionId, memberId);
  await redis.multi().sadd(key, ...contestIds).expire(key, VOTED_SET_TTL_SECONDS).exec();
}
