import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type IssueLimits, consumeChallenge, countAttempt, hitAddress, issueChallenge, withdrawChallenge } from '@primaries/redis-protocols';

/**
 * One-time code challenges. Their Redis state (keys, scripts, transitions) lives in
 * @primaries/redis-protocols' auth module; this store adds the codes themselves: drawn from
 * the CSPRNG, kept in Redis only as HMAC-SHA256(AUTH_CODE_PEPPER, challengeId:code) — a copy
 * of Redis cannot try the million codes without the server's secret — and compared in
 * constant time. A challenge expires with its code (AUTH_CODE_TTL_SECONDS).
 */

export const CHALLENGE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export interface ChallengeLimits extends IssueLimits {
  maxAttempts: number;
}

export type IssueResult =
  | { kind: 'ok'; challengeId: string; code: string }
  | { kind: 'ip' }
  | { kind: 'cool'; retryAfterMs: number }
  | { kind: 'limit'; retryAfterMs: number };

export type AttemptResult =
  | { kind: 'ok'; memberId: string; electionId: number }
  | { kind: 'invalid'; remaining: number }
  | { kind: 'locked' }
  | { kind: 'expired' };

/** A fresh 6-digit code from the CSPRNG. */
function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A 128-bit random challenge id (22 base64url characters). */
function newChallengeId(): string {
  return randomBytes(16).toString('base64url');
}


export class ChallengeStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: ChallengeLimits,
    private readonly pepper: string,
  ) {}

  private codeHash(challengeId: string, code: string): Buffer {
    return createHmac('sha256', this.pepper).update(`${challengeId}:${code}`).digest();
  }

  /** Counts a code request from an address; returns ms to wait when over the hourly limit, else 0. */
  hitAddress(ip: string, perHour: number): Promise<number> {
    return hitAddress(this.redis, this.prefix, ip, perHour);
  }

  /**
   * Creates a challenge for an eligible member unless the address is taken by another
   * member, the resend cooldown runs, or the member's hourly limit is spent — all checked
   * and written in one atomic round trip.
   */
  async issue(memberId: string, electionId: number, ip: string, allowlisted: boolean): Promise<IssueResult> {
    const challengeId = newChallengeId();
    const code = newCode();
    const hash = this.codeHash(challengeId, code).toString('hex');
    const out = await issueChallenge(this.redis, this.prefix, { challengeId, memberId, electionId, ip, allowlisted, codeHash: hash }, this.limits);
    return out.kind === 'ok' ? { kind: 'ok', challengeId, code } : out;
  }

  /** Undoes an issue whose SMS could not be queued: the member may ask again at once. */
  withdraw(challengeId: string, memberId: string): Promise<void> {
    return withdrawChallenge(this.redis, this.prefix, challengeId, memberId);
  }

  /**
   * Checks a code: counts the attempt first (so guesses are bounded even when racing),
   * compares in constant time, and consumes the challenge on success — only one of two
   * concurrent correct answers wins.
   */
  async attempt(challengeId: string, code: string): Promise<AttemptResult> {
    const row = await countAttempt(this.redis, this.prefix, challengeId);
    if (!row) return { kind: 'expired' };
    if (row.attempts > this.limits.maxAttempts) return { kind: 'locked' };
    const stored = Buffer.from(row.codeHash, 'hex');
    const given = this.codeHash(challengeId, code);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) {
      const remaining = this.limits.maxAttempts - row.attempts;
      return remaining > 0 ? { kind: 'invalid', remaining } : { kind: 'locked' };
    }
    if (!(await consumeChallenge(this.redis, this.prefix, challengeId))) return { kind: 'expired' };
    return { kind: 'ok', memberId: row.memberId, electionId: row.electionId };
  }
}
