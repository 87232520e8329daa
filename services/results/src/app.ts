import protocolRoutes from './routes/protocols';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Redis } from 'ioredis';
import type { ResultsConfig } from '@primaries/config';
import { redisClient } from '@primaries/queue';
import { staticSitePlugin } from '@primaries/static-site';
import { baseServerOptions, errorShapeOptions, docsPlugin, errorHandlerPlugin, observabilityPlugin, redisOptions, redisPlugin } from '@primaries/service-kit';
import { backoff, snapshotStorePlugin } from './plugins/snapshot-store';
import auditRoutes from './routes/audit';
import verificationRoutes from './routes/verification';
import resultsRoutes from './routes/results';
import complaintRoutes from './routes/complaints';
import decisionRoutes from './routes/decisions';
import { resultsSite } from './site';

export interface ResultsAppDeps {
  /** Use this Redis client instead of connecting to REDIS_URL (tests). */
  redis?: Redis;
}

/**
 * The results site (primaries.kz in 2020) as an app that never listens. It has no
 * Postgres connection at all: it answers from the snapshot the worker writes to Redis,
 * held in memory, so watchers never reach the voting path.
 */
export async function buildResultsApp(config: ResultsConfig, deps: ResultsAppDeps = {}, fastifyOptions: FastifyServerOptions = {}) {
  const app = Fastify({ ...baseServerOptions(), ...errorShapeOptions('RESULTS'), ...fastifyOptions });
  await app.register(errorHandlerPlugin, { prefix: 'RESULTS' });
  await app.register(observabilityPlugin, { service: 'results' });
  await app.register(docsPlugin, { title: 'primaries results site', description: 'Interim and final results, turnout (docs/results.md)' });
  // Our own request-path client, so a close while Redis is down doesn't wait ioredis's
  // default 2 s for a dead socket to end.
  const redis = deps.redis ?? redisClient(config, { ...redisOptions('request'), disconnectTimeout: 100, retryStrategy: backoff });
  if (!deps.redis) app.addHook('onClose', async () => redis.disconnect());
  await app.register(redisPlugin, { connection: config, prefix: config.REDIS_PREFIX, client: redis });
  await app.register(snapshotStorePlugin, { connection: config, prefix: config.REDIS_PREFIX, pollSeconds: config.RESULTS_POLL_SECONDS });
  await app.register(resultsRoutes, { prefix: '/api/v1/results', retryAfterSeconds: Math.min(config.RESULTS_POLL_SECONDS, 30) });
  await app.register(auditRoutes, { prefix: '/api/v1/audit' });
  await app.register(protocolRoutes, { prefix: '/api/v1/results' });
  await app.register(decisionRoutes, { prefix: '/api/v1/decisions', retryAfterSeconds: Math.min(config.RESULTS_POLL_SECONDS, 30) });
  await app.register(complaintRoutes, { prefix: '/api/v1/complaints', powSecret: config.COMPLAINT_POW_SECRET, perHour: config.COMPLAINT_RATE_PER_HOUR, production: config.NODE_ENV === 'production' });
  await app.register(verificationRoutes, { prefix: '/api/v1' });
  // The portal (issue #11): hashed, precompressed assets; the page reads the API above.
  await app.register(staticSitePlugin, { site: resultsSite, data: { voteUrl: config.VOTE_URL } });
  return app;
}
