import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { VoteErrors } from '../errors';

/** What a bearer token stands for. No IIN or phone: the member id is enough. */
export interface Session {
  memberId: string;
  electionId: number;
  /** The client address the token was issued to. */
  ip: string;
  issuedAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
  interface FastifyInstance {
    /** preHandler: require a valid bearer token; sets `request.session`. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}

function tokenKey(prefix: string, token: string): string {
  return `${prefix}:token:${createHash('sha256').update(token).digest('hex')}`;
}

/** Issues a 256-bit random bearer token, stored only as its SHA-256 with a TTL. */
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

/** Ends a session (logout). */
export async function revokeToken(redis: Redis, prefix: string, token: string): Promise<void> {
  await redis.del(tokenKey(prefix, token));
}

export const sessionPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('session', undefined);
    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const match = header ? /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(header) : null;
      if (!match) throw new VoteErrors.UNAUTHORIZED();
      const session = await readToken(app.redis, app.redisPrefix, match[1]!);
      if (!session) throw new VoteErrors.UNAUTHORIZED();
      request.session = session;
    });
  },
  { name: 'session', dependencies: ['redis'] },
);
