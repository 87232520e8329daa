import type { Redis } from 'ioredis';
import { defineScript, runScript } from './script';

/**
 * Authorization state: one-time code challenges, the per-member resend cooldown and hourly
 * counter, the per-address hourly counter, and the per-address member set of the one-IP
 * rule. Keys are named by member id, challenge id or address: never an IIN or a phone. A
 * challenge holds the member id, the election id, the attempt count and a keyed hash of the
 * code (never the code). Each check-and-write is one script, so racing requests cannot both
 * slip through. (Multi-key scripts: a Redis Cluster would need hash tags on these keys.)
 */

const HOUR = 3600;

const key = (prefix: string, kind: 'ch' | 'cool' | 'rl-m' | 'rl-ip', id: string) => `${prefix}:auth:${kind}:${id}`;

/** `<prefix>:auth:ip:<electionId>:<address>`: the members who authorized from an address. */
function addressMembersKey(prefix: string, electionId: number, ip: string): string {
  return `${prefix}:auth:ip:${electionId}:${ip}`;
}

// KEYS: counter. ARGV: window seconds, limit. → 0 when allowed, else ms until the window ends.
const HIT = defineScript(
  'auth-hit',
  1,
  `
local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then
  local t = redis.call('pttl', KEYS[1])
  if t < 1 then t = 1 end
  return t
end
return 0`,
);

// KEYS: address member set, member's resend cooldown, member's hourly counter, challenge.
// ARGV: member id, max members per address, allowlisted (1/0), cooldown ms, codes per member
// per window, window seconds, challenge ttl seconds, election id, code hash.
// → {'ok', 0} | {'ip', 0} | {'cool', ms left} | {'limit', ms left}
const ISSUE = defineScript(
  'auth-issue',
  4,
  `
if ARGV[3] == '0' and redis.call('sismember', KEYS[1], ARGV[1]) == 0
   and redis.call('scard', KEYS[1]) >= tonumber(ARGV[2]) then
  return {'ip', 0}
end
local cool = redis.call('pttl', KEYS[2])
if cool > 0 then return {'cool', cool} end
local n = redis.call('incr', KEYS[3])
if n == 1 then redis.call('expire', KEYS[3], ARGV[6]) end
if n > tonumber(ARGV[5]) then
  local t = redis.call('pttl', KEYS[3])
  if t < 1 then t = 1 end
  return {'limit', t}
end
if tonumber(ARGV[4]) > 0 then redis.call('set', KEYS[2], '1', 'PX', ARGV[4]) end
redis.call('hset', KEYS[4], 'm', ARGV[1], 'e', ARGV[8], 'h', ARGV[9], 'a', 0)
redis.call('expire', KEYS[4], ARGV[7])
return {'ok', 0}`,
);

// KEYS: challenge. → nil when unknown or expired, else {attempts including this one, code hash, member id, election id}.
const ATTEMPT = defineScript(
  'auth-attempt',
  1,
  `
if redis.call('exists', KEYS[1]) == 0 then return nil end
local a = redis.call('hincrby', KEYS[1], 'a', 1)
local v = redis.call('hmget', KEYS[1], 'h', 'm', 'e')
return {a, v[1], v[2], v[3]}`,
);

// KEYS: address member set. ARGV: member id, max members, ttl seconds, seeded (1/0), then the
// members Postgres already knows. → 1 bound (or already bound), 0 refused, -1 set missing and not seeded.
const BIND = defineScript(
  'auth-bind',
  1,
  `
if redis.call('exists', KEYS[1]) == 0 then
  if ARGV[4] ~= '1' then return -1 end
  for i = 5, #ARGV do redis.call('sadd', KEYS[1], ARGV[i]) end
end
if redis.call('sismember', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('scard', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('sadd', KEYS[1], ARGV[1])
redis.call('expire', KEYS[1], ARGV[3])
return 1`,
);

/** Counts a code request from an address; ms to wait when over `perHour`, else 0. */
export async function hitAddress(redis: Redis, prefix: string, ip: string, perHour: number): Promise<number> {
  return Number(await runScript(redis, HIT, [key(prefix, 'rl-ip', ip)], [HOUR, perHour]));
}

interface ChallengeToIssue {
  challengeId: string;
  memberId: string;
  electionId: number;
  ip: string;
  allowlisted: boolean;
  /** Hex hash of the code, as the challenge stores it. */
  codeHash: string;
}

export interface IssueLimits {
  ttlSeconds: number;
  resendSeconds: number;
  codesPerMemberPerHour: number;
  maxMembersPerIp: number;
}

type IssueOutcome = { kind: 'ok' } | { kind: 'ip' } | { kind: 'cool' | 'limit'; retryAfterMs: number };

/**
 * Creates a challenge unless the address is taken by another member, the resend cooldown
 * runs, or the member's hourly limit is spent: all checked and written in one round trip.
 */
export async function issueChallenge(redis: Redis, prefix: string, c: ChallengeToIssue, limits: IssueLimits): Promise<IssueOutcome> {
  const keys = [addressMembersKey(prefix, c.electionId, c.ip), key(prefix, 'cool', c.memberId), key(prefix, 'rl-m', c.memberId), key(prefix, 'ch', c.challengeId)];
  const args = [
    c.memberId,
    limits.maxMembersPerIp,
    c.allowlisted ? 1 : 0,
    limits.resendSeconds * 1000,
    limits.codesPerMemberPerHour,
    HOUR,
    limits.ttlSeconds,
    c.electionId,
    c.codeHash,
  ];
  const [kind, ms] = (await runScript(redis, ISSUE, keys, args)) as [string, number];
  if (kind === 'ok' || kind === 'ip') return { kind };
  return { kind: kind === 'cool' ? 'cool' : 'limit', retryAfterMs: Number(ms) };
}

/** Undoes an issue whose SMS could not be queued: the member may ask again at once. */
export async function withdrawChallenge(redis: Redis, prefix: string, challengeId: string, memberId: string): Promise<void> {
  await redis.multi().del(key(prefix, 'ch', challengeId)).del(key(prefix, 'cool', memberId)).decr(key(prefix, 'rl-m', memberId)).exec();
}

interface ChallengeAttempt {
  /** Attempts so far, this one included. */
  attempts: number;
  codeHash: string;
  memberId: string;
  electionId: number;
}

/** Counts one verification attempt first (guesses stay bounded when racing); null when unknown or expired. */
export async function countAttempt(redis: Redis, prefix: string, challengeId: string): Promise<ChallengeAttempt | null> {
  const row = (await runScript(redis, ATTEMPT, [key(prefix, 'ch', challengeId)])) as [number, string | null, string | null, string | null] | null;
  if (!row || !row[1] || !row[2] || !row[3]) return null;
  return { attempts: Number(row[0]), codeHash: row[1], memberId: row[2], electionId: Number(row[3]) };
}

/** Consumes a challenge: true for exactly one caller, so a used code can never be used again. */
export async function consumeChallenge(redis: Redis, prefix: string, challengeId: string): Promise<boolean> {
  return (await redis.del(key(prefix, 'ch', challengeId))) === 1;
}

interface AddressBinding {
  electionId: number;
  memberId: string;
  ip: string;
  maxMembers: number;
  ttlSeconds: number;
}

/**
 * Binds a member to an address (the one-IP rule): 'bound' (or already bound), 'refused', or
 * 'unknown' when Redis has no set for the address and `known` (the members Postgres
 * recorded there) was not given; the caller then asks Postgres and binds again with it.
 */
export async function bindAddress(redis: Redis, prefix: string, b: AddressBinding, known?: readonly string[]): Promise<'bound' | 'refused' | 'unknown'> {
  const args = [b.memberId, b.maxMembers, b.ttlSeconds, known ? 1 : 0, ...(known ?? [])];
  const r = Number(await runScript(redis, BIND, [addressMembersKey(prefix, b.electionId, b.ip)], args));
  return r === 1 ? 'bound' : r === 0 ? 'refused' : 'unknown';
}
