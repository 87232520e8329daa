import type { Redis } from 'ioredis';
import { defineScript, runScript } from './script';
import { votedKey } from './voted';

/**
 * Paper check-ins (issue #15) claim contests in the SAME voted set as online votes
 * (voted.ts), with one script: if any contest is already in the set (voted online, claimed
 * by a vote on its way, or an earlier check-in) nothing is claimed. Whichever of an online
 * vote and a check-in runs its script first wins the contest; the other is refused. The
 * participation primary key in Postgres stays the last word (a set lost with Redis).
 */

/** Same lifetime as voted.ts gives the set (longer than any voting window). */
const VOTED_SET_TTL_SECONDS = 30 * 86400;

// KEYS: voted set. ARGV: set TTL, contest ids (n). → 0 when claimed, else the first contest already in the set.
const PAPER_CLAIM = defineScript(
  'paper-claim',
  1,
  `
for i = 2, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then return tonumber(ARGV[i]) end
end
for i = 2, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 0`,
);

/** Claims every contest of a paper check-in, all or none; null when claimed, else the contest already voted or claimed. */
export async function claimPaperContests(redis: Redis, prefix: string, electionId: number, memberId: string, contestIds: readonly number[]): Promise<number | null> {
  if (contestIds.length === 0) return null;
  const r = Number(await runScript(redis, PAPER_CLAIM, [votedKey(prefix, electionId, memberId)], [VOTED_SET_TTL_SECONDS, ...contestIds]));
  return r === 0 ? null : r;
}

/** Gives contests back (a check-in undone before its ballot was handed over, or one Postgres refused). */
export async function releasePaperContests(redis: Redis, prefix: string, electionId: number, memberId: string, contestIds: readonly number[]): Promise<void> {
  if (contestIds.length === 0) return;
  await redis.srem(votedKey(prefix, electionId, memberId), ...contestIds);
}
