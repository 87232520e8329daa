import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuthScripts } from './scripts';

/**
 * One-time code challenges in Redis. A challenge is a hash under
 * `<prefix>:auth:ch:<challengeId>` holding the member id, the election id, the attempt
 * count and the SHA-256 of challengeId:code — never the code itself — and it expires with
 * the code (AUTH_CODE_TTL_SECONDS). Counters and cooldowns are keyed by member id or
 * address, so no IIN or phone number appears in Redis key names.
 */

export const CHALLENGE_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export interface ChallengeLimits {
  ttlSeconds: number;
  resendSeconds: number;
  codesPerMemberPerHour: number;
  maxMembersPerIp: number;
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

const HOUR = 3600;

/** A fresh 6-digit code from the CSPRNG. */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A 128-bit random challenge id (22 base64url characters). */
export function newChallengeId(): string {
  return randomBytes(16).toString('base64url');
}

function codeHash(challengeId: string, code: string): Buffer {
  return createHash('sha256').update(`${challengeId}:${code}`).digest();
}

export function ipSetKey(prefix: string, electionId: number, ip: string): string {
  return `${prefix}:auth:ip:${electionId}:${ip}`;
}

export class ChallengeStore {
  constructor(
    private readonly redis: Redis,
    private readonly scripts: AuthScripts,
    private readonly prefix: string,
    private readonly limits: ChallengeLimits,
  ) {}

  private key(kind: string, id: string): string {
    return `${this.prefix}:auth:${kind}:${id}`;
  }

  /** Counts a code request from an address; returns ms to wait when over the hourly limit, else 0. */
  async hitAddress(ip: string, perHour: number): Promise<number> {
    return Number(await this.scripts.hit(this.key('rl-ip', ip), HOUR, perHour));
  }

  /**
   * Creates a challenge for an eligible member unless the address is taken by another
   * member, the resend cooldown runs, or the member's hourly limit is spent — all checked
   * and written in one atomic round trip.
   */
  async issue(memberId: string, electionId: number, ip: string, allowlisted: boolean): Promise<IssueResult> {
    const challengeId = newChallengeId();
    const code = newCode();
    const [kind, ms] = (await this.scripts.issue(
      ipSetKey(this.prefix, electionId, ip),
      this.key('cool', memberId),
      this.key('rl-m', memberId),
      this.key('ch', challengeId),
      memberId,
      this.limits.maxMembersPerIp,
      allowlisted ? 1 : 0,
      this.limits.resendSeconds * 1000,
      this.limits.codesPerMemberPerHour,
      HOUR,
      this.limits.ttlSeconds,
      electionId,
      codeHash(challengeId, code).toString('hex'),
    )) as [string, number];
    if (kind === 'ok') return { kind, challengeId, code };
    if (kind === 'ip') return { kind };
    return { kind: kind === 'cool' ? 'cool' : 'limit', retryAfterMs: Number(ms) };
  }

  /** Undoes an issue whose SMS could not be queued: the member may ask again at once. */
  async withdraw(challengeId: string, memberId: string): Promise<void> {
    await this.redis.multi().del(this.key('ch', challengeId)).del(this.key('cool', memberId)).decr(this.key('rl-m', memberId)).exec();
  }

  /**
   * Checks a code: counts the attempt first (so guesses are bounded even when racing),
   * compares in constant time, and consumes the challenge on success — only one of two
   * concurrent correct answers wins.
   */
  async attempt(challengeId: string, code: string): Promise<AttemptResult> {
    const key = this.key('ch', challengeId);
    const row = (await this.scripts.attempt(key)) as [number, string | null, string | null, string | null] | null;
    if (!row || !row[1] || !row[2] || !row[3]) return { kind: 'expired' };
    const [attempts, storedHex, memberId, electionId] = row;
    if (attempts > this.limits.maxAttempts) return { kind: 'locked' };
    const stored = Buffer.from(storedHex!, 'hex');
    const given = codeHash(challengeId, code);
    if (stored.length !== given.length || !timingSafeEqual(stored, given)) {
      const remaining = this.limits.maxAttempts - attempts;
      return remaining > 0 ? { kind: 'invalid', remaining } : { kind: 'locked' };
    }
    // DEL returns 1 for exactly one caller: a used code can never be used again.
    const deleted = await this.redis.del(key);
    if (deleted !== 1) return { kind: 'expired' };
    return { kind: 'ok', memberId: memberId!, electionId: Number(electionId) };
  }
}

