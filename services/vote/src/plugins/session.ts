import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Session, readToken } from '@primaries/redis-protocols';
import { VoteErrors } from '../errors';

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
  }
  interface FastifyInstance {
    /** preHandler: require a valid bearer token; sets `request.session`. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}

/** Bearer tokens (stored by @primaries/redis-protocols' tokens module) as `app.authenticate`. */
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
