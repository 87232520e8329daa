import type { Redis } from 'ioredis';
import { voteBacklogKey } from './backlog';
import { CLAIM_PROVISIONAL_AFTER_MS, claimMember, claimReceiptsKey, parseClaimMember, pendingClaimsKey } from './claims';
import { RECEIPT_MARKER_TTL_SECONDS, RECEIPT_QUEUED, receiptKey } from './receipts';
import { defineScript, runScript } from './script';
import { BLOCKS_SEEDED, blockedKey } from './blocks';

/**
 * The fast double-vote filter: a set per member and election holding the contest ids
 * already voted. Claiming all contests of a body, marking its receipts (one per contest
 * ballot, issue #9) queued, recording the claim as pending (claims.ts) and counting its
 * votes in the backlog is one script, so it is atomic and all-or-none. Postgres's
 * participation primary key stays the real guard (the worker inserts with ON CONFLICT DO
 * NOTHING).
 */

/** How long a member's voted set lives: longer than any voting window. */
const VOTED_SET_TTL_SECONDS = 30 * 86400;

/** `<prefix>:voted:<electionId>:<memberId>`. */
export function votedKey(prefix: string, electionId: number, memberId: string): string {
  return `${prefix}:voted:${electionId}:${memberId}`;
}

// KEYS: voted set, pending claims, claim receipts, backlog counter, blocked set (blocks.ts),
// then the receipt markers (n).
// ARGV: set TTL, marker TTL, marker value, provisional-after ms, `<election>:<member>:`,
// contest ids (n), receipt hashes (n), member id or '' to skip the block check.
// → {} when claimed; {0, -2} for a blocked member, {0, -3} while the blocked set is not seeded;
// else {first contest already voted, age in ms of its unconfirmed claim or -1}.
const CLAIM = defineScript(
  'voted-claim',
  'variable',
  `
local n = #KEYS - 5
local member = ARGV[6 + 2 * n]
if member ~= '' then
  local b = redis.call('SMISMEMBER', KEYS[5], '${BLOCKS_SEEDED}', member)
  if b[2] == 1 then return {0, -2} end
  if b[1] == 0 then return {0, -3} end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, n do
  local c = ARGV[5 + i]
  if redis.call('SISMEMBER', KEYS[1], c) == 1 then
    local at = redis.call('ZSCORE', KEYS[2], ARGV[5] .. c)
    if at and now - tonumber(at) >= tonumber(ARGV[4]) then return {tonumber(c), now - tonumber(at)} end
    return {tonumber(c), -1}
  end
end
for i = 1, n do
  local c = ARGV[5 + i]
  redis.call('SADD', KEYS[1], c)
  redis.call('ZADD', KEYS[2], now, ARGV[5] .. c)
  redis.call('HSET', KEYS[3], ARGV[5] .. c, ARGV[5 + n + i])
  redis.call('SET', KEYS[5 + i], ARGV[3], 'EX', ARGV[2])
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('INCRBY', KEYS[4], n)
return {}`,
);

// Releases unconfirmed claims. KEYS: pending claims, claim receipts, backlog counter, voted
// set, then one receipt marker per claim (n). ARGV: pending members (n), contest ids (n).
// A claim already confirmed or released is left alone (ZREM says 0); one whose marker is no
// longer queued was queued after all and settled by the worker (recorded or refused): it
// stays voted. → how many contests were released.
const RELEASE = defineScript(
  'voted-release',
  'variable',
  `
local n = #KEYS - 4
local released = 0
for i = 1, n do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    redis.call('HDEL', KEYS[2], ARGV[i])
    if redis.call('GET', KEYS[4 + i]) == '${RECEIPT_QUEUED}' then
      redis.call('SREM', KEYS[4], ARGV[n + i])
      redis.call('DEL', KEYS[4 + i])
      released = released + 1
    end
  end
end
if released > 0 then redis.call('DECRBY', KEYS[3], released) end
return released`,
);

/** A member's ballot in one election, as the pre-check keys it. */
interface VoterBallot {
  electionId: number;
  memberId: string;
  contestIds: readonly number[];
  /** One receipt hash per contest, in the same order. */
  receiptHashes: readonly string[];
  /** Refuse a member the party-control committee blocked (blocks.ts); the vote path always sets it. */
  checkBlock?: boolean;
}

/** Why a claim was refused: the first contest already voted, and how long its claim has waited unconfirmed (null: confirmed, or too young to tell). */
export interface ClaimConflict {
  contestId: number;
  provisionalForMs: number | null;
}

/** The pending-set members of a body's claim, in contest order (what `confirmClaims` takes once the batch is queued). */
export function claimMembers(b: Pick<VoterBallot, 'electionId' | 'memberId' | 'contestIds'>): string[] {
  return b.contestIds.map((c) => claimMember(b.electionId, b.memberId, c));
}

/**
 * Claims every contest of one body, marks its receipts queued, records the claim as pending
 * and counts its votes in the backlog; null on success, else the conflict, or (with
 * `checkBlock`) 'blocked' for a blocked member and 'unseeded' while the blocked set awaits
 * its copy from Postgres (nothing claimed in either case).
 */
export async function claimContests(redis: Redis, prefix: string, b: VoterBallot, provisionalAfterMs = CLAIM_PROVISIONAL_AFTER_MS): Promise<ClaimConflict | 'blocked' | 'unseeded' | null> {
  const keys = [votedKey(prefix, b.electionId, b.memberId), pendingClaimsKey(prefix), claimReceiptsKey(prefix), voteBacklogKey(prefix), blockedKey(prefix, b.electionId), ...b.receiptHashes.map((h) => receiptKey(prefix, h))];
  const args = [VOTED_SET_TTL_SECONDS, RECEIPT_MARKER_TTL_SECONDS, RECEIPT_QUEUED, provisionalAfterMs, `${b.electionId}:${b.memberId}:`, ...b.contestIds, ...b.receiptHashes, b.checkBlock ? b.memberId : ''];
  const r = (await runScript(redis, CLAIM, keys, args)) as number[];
  if (r.length === 0) return null;
  if (Number(r[1]) === -2) return 'blocked';
  if (Number(r[1]) === -3) return 'unseeded';
  return { contestId: Number(r[0]), provisionalForMs: Number(r[1]) >= 0 ? Number(r[1]) : null };
}

async function release(redis: Redis, prefix: string, electionId: number, memberId: string, contestIds: readonly number[], receiptHashes: ReadonlyArray<string | null>): Promise<number> {
  const keys = [pendingClaimsKey(prefix), claimReceiptsKey(prefix), voteBacklogKey(prefix), votedKey(prefix, electionId, memberId), ...receiptHashes.map((h) => receiptKey(prefix, h ?? 'unknown'))];
  return Number(await runScript(redis, RELEASE, keys, [...contestIds.map((c) => claimMember(electionId, memberId, c)), ...contestIds]));
}

/** Undoes claimContests (the vote could not be queued, so the voter may try again); returns the contests released. */
export async function releaseContests(redis: Redis, prefix: string, b: VoterBallot): Promise<number> {
  return release(redis, prefix, b.electionId, b.memberId, b.contestIds, b.receiptHashes);
}

/** At most this many pending claims per page, and pages per sweep. */
const SWEEP_PAGE = 200;
const SWEEP_PAGES = 50;

/**
 * The worker's sweep: releases every claim unconfirmed for `olderThanMs` (its vote service
 * died before the batch was queued) and made before `notAfter` (ms) if given. Each release is
 * one atomic script that acts only if the claim is still pending, so competing workers may
 * sweep at once. Returns the contests released.
 */
export async function sweepStaleClaims(redis: Redis, prefix: string, olderThanMs: number, notAfter = Infinity): Promise<number> {
  const [sec, usec] = await redis.time();
  const cutoff = Math.min(Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - olderThanMs, notAfter);
  let released = 0;
  for (let page = 0; page < SWEEP_PAGES; page++) {
    const members = await redis.zrangebyscore(pendingClaimsKey(prefix), '-inf', cutoff, 'LIMIT', 0, SWEEP_PAGE);
    if (members.length === 0) break;
    const hashes = await redis.hmget(claimReceiptsKey(prefix), ...members);
    const done = await Promise.all(
      members.map((m, i) => {
        const p = parseClaimMember(m);
        // Not ours to read: drop the entry, nothing else to undo.
        if (!p) return redis.multi().zrem(pendingClaimsKey(prefix), m).hdel(claimReceiptsKey(prefix), m).exec().then(() => 0);
        return release(redis, prefix, p.electionId, p.memberId, [p.contestId], [hashes[i] ?? null]);
      }),
    );
    released += done.reduce((a, b) => a + b, 0);
    if (members.length < SWEEP_PAGE) break;
  }
  return released;
}

// KEYS: voted set, pending claims. ARGV: provisional-after ms, `<election>:<member>:`.
// → the set's contest ids, less those held by a claim unconfirmed for that long.
const VOTED = defineScript(
  'voted-contests',
  2,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for _, c in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local at = redis.call('ZSCORE', KEYS[2], ARGV[2] .. c)
  if not at or now - tonumber(at) < tonumber(ARGV[1]) then out[#out + 1] = c end
end
return out`,
);

/**
 * Contest ids the pre-check set holds for a member (what the ballot shows as voted), less
 * those held only by a claim still unconfirmed after `provisionalAfterMs`: its batch most
 * likely never reached the queue, and a vote for them answers 503 until the sweep.
 */
export async function claimedContests(redis: Redis, prefix: string, electionId: number, memberId: string, provisionalAfterMs = CLAIM_PROVISIONAL_AFTER_MS): Promise<number[]> {
  const ids = (await runScript(redis, VOTED, [votedKey(prefix, electionId, memberId), pendingClaimsKey(prefix)], [provisionalAfterMs, `${electionId}:${memberId}:`])) as string[];
  return ids.map(Number);
}

/** Adds contests known from Postgres (e.g. a paper vote) to the set, so a vote for them is refused fast. */
export async function rememberVoted(redis: Redis, prefix: string, electionId: number, memberId: string, contestIds: readonly number[]): Promise<void> {
  if (contestIds.length === 0) return;
  const key = votedKey(prefix, electionId, memberId);
  await redis.multi().sadd(key, ...contestIds).expire(key, VOTED_SET_TTL_SECONDS).exec();
}
