import { isIP } from 'node:net';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { VoteConfig } from '@primaries/config';
import type { Database } from '@primaries/db';
import type { Sealer } from '@primaries/sealing';
import { baseServerOptions, errorShapeOptions, dbPlugin, docsPlugin, errorHandlerPlugin, observabilityPlugin, redisPlugin, redisScriptsPlugin } from '@primaries/service-kit';
import { staticSitePlugin } from '@primaries/static-site';
import { VoteErrors } from './errors';
import { ballotSealerPlugin } from './plugins/sealer';
import { sessionPlugin } from './plugins/session';
import { controlPlugin } from './plugins/control';
import complaintRoutes from './routes/complaints';
import { electionChangesPlugin } from './plugins/election-changes';
import authRoutes from './routes/auth';
import rehearsalOutboxRoutes from './sms/rehearsal-outbox';
import devRoutes from './routes/dev';
import ballotRoutes from './routes/ballot';
import voteRoutes from './routes/votes';
import receiptRoutes from './routes/receipts';
import paperStationRoutes from './routes/paper-station';
import { voterSite } from './site';

declare module 'fastify' {
  interface FastifyInstance {
    config: VoteConfig;
  }
}

export interface VoteAppDeps {
  /** Use this database instead of opening one from DATABASE_URL (tests). */
  db?: Kysely<Database>;
  /** Use this Redis client instead of connecting to REDIS_URL (tests). */
  redis?: Redis;
  /** Seal with this instead of BALLOT_KEYS (the linkage suite's deliberately unsealed run). */
  sealer?: Sealer;
}

/**
 * The vote site (vote.primaries.kz in 2020) as an app that never listens: server.ts
 * listens, tests call `inject()` (no port needed).
 */
export async function buildVoteApp(config: VoteConfig, deps: VoteAppDeps = {}, fastifyOptions: FastifyServerOptions = {}) {
  const app = Fastify({
    ...baseServerOptions(),
    ...errorShapeOptions('VOTE'),
    // The one-IP rule needs the real client address: believe X-Forwarded-For only from the gateway.
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
    ...fastifyOptions,
  });
  app.decorate('config', config);
  await app.register(errorHandlerPlugin, { prefix: 'VOTE' });
  // The one-IP rule and the per-address limits key Redis and Postgres by the client address:
  // one that is not an IP (a broken or forged X-Forwarded-For) is refused here, before any
  // store or log line sees it (logs never carry the address).
  app.addHook('onRequest', async (request) => {
    if (isIP(request.ip) === 0) throw new VoteErrors.BAD_CLIENT_ADDRESS();
  });
  await app.register(observabilityPlugin, { service: 'vote' });
  await app.register(docsPlugin, { title: 'primaries vote site', description: 'Authorization and ballots (docs/api.md)' });
  await app.register(redisPlugin, { connection: config, prefix: config.REDIS_PREFIX, ...(deps.redis ? { client: deps.redis } : {}) });
  await app.register(redisScriptsPlugin);
  await app.register(dbPlugin, { url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, service: 'vote', ...(deps.db ? { db: deps.db } : {}) });
  await app.register(sessionPlugin);
  await app.register(controlPlugin);
  await app.register(electionChangesPlugin);
  await app.register(ballotSealerPlugin, deps.sealer ? { sealer: deps.sealer } : {});

  await app.register(authRoutes, { prefix: '/api/v1/auth' });
  if (config.SMS_PROVIDER === 'outbox' && config.NODE_ENV !== 'production') {
    await app.register(devRoutes, { prefix: '/api/v1/dev' });
  }
  if (config.SMS_PROVIDER === 'rehearsal' && config.NODE_ENV !== 'production') {
    await app.register(rehearsalOutboxRoutes, { prefix: '/api/v1/rehearsal' });
  }
  await app.register(ballotRoutes, { prefix: '/api/v1/ballot' });
  await app.register(voteRoutes, { prefix: '/api/v1/votes' });
  await app.register(receiptRoutes, { prefix: '/api/v1/receipts' });
  await app.register(complaintRoutes, { prefix: '/api/v1/complaints' });
  await app.register(paperStationRoutes, { prefix: '/api/v1/paper-station' });
  await app.register(staticSitePlugin, { site: voterSite, data: { hotline: config.HOTLINE_PHONE, resultsUrl: config.RESULTS_URL } });
  return app;
}
