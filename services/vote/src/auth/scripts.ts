import type { Redis } from 'ioredis';

/**
 * The Lua scripts behind authorization. Each check-and-write runs atomically inside Redis
 * in one round trip, so two requests racing for the same member or address cannot both
 * slip through. (Multi-key scripts: a Redis Cluster would need hash tags on these keys.)
 */

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;

function defineScript(redis: Redis, name: string, numberOfKeys: number, lua: string): ScriptFn {
  const r = redis as unknown as Record<string, ScriptFn | undefined>;
  if (!r[name]) redis.defineCommand(name, { numberOfKeys, lua });
  return (...args) => (r[name] as ScriptFn).apply(redis, args);
}

/** KEYS: counter. ARGV: window seconds, limit. → 0 when allowed, else ms until the window ends. */
const HIT_LUA = `
local n = redis.call('incr', KEYS[1])
if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then
  local t = redis.call('pttl', KEYS[1])
  if t < 1 then t = 1 end
  return t
end
return 0`;

/**
 * Issues a challenge for an eligible member.
 * KEYS: ip member set, member's resend cooldown, member's hourly counter, challenge.
 * ARGV: member id, max members per ip, allowlisted (1/0), cooldown ms, codes per member per
 * window, window seconds, challenge ttl seconds, election id, code hash.
 * → {'ok', 0} | {'ip', 0} | {'cool', ms left} | {'limit', ms left}
 */
const ISSUE_LUA = `
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
return {'ok', 0}`;

/**
 * Counts one verification attempt. KEYS: challenge. → nil when unknown or expired, else
 * {attempts so far including this one, code hash, member id, election id}.
 */
const ATTEMPT_LUA = `
if redis.call('exists', KEYS[1]) == 0 then return nil end
local a = redis.call('hincrby', KEYS[1], 'a', 1)
local v = redis.call('hmget', KEYS[1], 'h', 'm', 'e')
return {a, v[1], v[2], v[3]}`;

/**
 * Binds a member to an address (the one-IP rule). KEYS: ip member set. ARGV: member id,
 * max members, ttl seconds, seeded (1/0), then the members Postgres already knows.
 * → 1 bound (or already bound), 0 refused, -1 set missing and not seeded (ask Postgres).
 */
const BIND_LUA = `
if redis.call('exists', KEYS[1]) == 0 then
  if ARGV[4] ~= '1' then return -1 end
  for i = 5, #ARGV do redis.call('sadd', KEYS[1], ARGV[i]) end
end
if redis.call('sismember', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('scard', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('sadd', KEYS[1], ARGV[1])
redis.call('expire', KEYS[1], ARGV[3])
return 1`;

export interface AuthScripts {
  hit: ScriptFn;
  issue: ScriptFn;
  attempt: ScriptFn;
  bind: ScriptFn;
}

/** The scripts as commands on this client (EVALSHA, loaded on first use). */
export function authScripts(redis: Redis): AuthScripts {
  return {
    hit: defineScript(redis, 'primariesAuthHit', 1, HIT_LUA),
    issue: defineScript(redis, 'primariesAuthIssue', 4, ISSUE_LUA),
    attempt: defineScript(redis, 'primariesAuthAttempt', 1, ATTEMPT_LUA),
    bind: defineScript(redis, 'primariesAuthBind', 1, BIND_LUA),
  };
}
