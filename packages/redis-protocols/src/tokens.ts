import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Bearer tokens: a 256-bit random token, stored only as its SHA-256 under
 * `<prefix>:token:<hash>` with a TTL, holding the session it stands for (no IIN, no phone).
 */

/** What a bearer token stands for. The member id is enough. */
export interface Session {
  memberId: string;
  electionId: number;
  /** The client address the token was issued to. */
  ip: string;
  /**
   * Where the member votes, as it was at sign-in (an active member): lets a vote be
   * accepted while Postgres is away and this instance never loaded the member.
   */
  place?: { regionId: number; districtId: number };
  issuedAt: number;
}

function tokenKey(prefix: string, token: string): string {
  return `${prefix}:token:${createHash('sha256').update(token).digest('hex')}`;
}

/** Issues a new token for a session. */
export async function issueToken(redis: Redis, prefix: string, session: Omit<Session, 'issuedAt'>, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  await redis.set(tokenKey(prefix, token), JSON.stringify({ ...session, issuedAt: Date.now() }), 'EX', ttlSeconds);
  return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
}

/** The session behind a token, or null when unknown or expired. */
export async function readToken(redis: Redis, prefix: string, token: string): Promise<Session | null> {
  const raw = await redis.get(tokenKey(prefix, token));
  return raw ? (JSON.parse(raw) as Session) : null;
}

/** Ends a session. */
export async function revokeToken(redis: Redis, prefix: string, token: string): Promise<void> {
  await redis.del(tokenKey(prefix, token));
}
