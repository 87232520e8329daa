import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions, LogController } from 'fastify';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { GatewayConfig } from '@primaries/config';
import { redisClient } from '@primaries/queue';
import { resultsKeys } from '@primaries/results-model';
import { baseServerOptions, errorShapeOptions, docsPlugin, errorHandlerPlugin, observabilityPlugin, redisPlugin, redisOptions } from '@primaries/service-kit';
import { GatewayErrors } from './errors';
import { gateOpsEndpoints, handleExpectContinue, keepAliveAfterRefusal } from './limits';
import { createGatewayMetrics } from './metrics';
import { requestLogPlugin } from './plugins/request-log';
import { ResultsCache } from './plugins/results-cache';
import { SITE_PREFIX, UNKNOWN_HOST_PREFIX, hostRewriter, requestId } from './routing';
import resultsSite from './routes/results';
import adminSite from './routes/admin';
import unknownHost from './routes/unknown-host';
import voteSite from './routes/vote';

declare module 'fastify' {
  interface FastifyInstance {
    gatewayConfig: GatewayConfig;
    /** The results cache, or null when RESULTS_GATEWAY_CACHE is off. */
    resultsCache: ResultsCache | null;
  }
}

export interface GatewayAppDeps {
  /** Use this Redis client (not closed with the app) instead of connecting to REDIS_URL. */
  redis?: Redis;
}

/**
 * The one public entry point as an app that never listens (server.ts listens; tests use
 * inject() or listen on port 0). Host picks the site; the gateway's own /health, /ready,
 * /metrics and /docs are under /_gateway/ on any host.
 */
/**
 * A rebuild on demand (a removed candidate, final results) must not wait out the previous
 * snapshot's max-age here: the worker's notification empties the cache at once. If the
 * subscription is down, entries still expire at the next scheduled refresh.
 */
async function purgeOnNewSnapshot(app: FastifyInstance, cache: ResultsCache, config: GatewayConfig): Promise<void> {
  const subscriber = redisClient(config, { maxRetriesPerRequest: null, disconnectTimeout: 200, lazyConnect: true });
  subscriber.on('error', () => {});
  subscriber.on('message', () => cache.clear());
  const subscribed = subscriber
    .connect()
    .then(() => subscriber.subscribe(resultsKeys(config.REDIS_PREFIX).channel))
    .catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'results notifications unavailable; cache entries expire by max-age'));
  // Like the first Redis connection: wait a moment, but start without it.
  await Promise.race([subscribed, new Promise((r) => setTimeout(r, 2000).unref())]);
  app.addHook('onClose', async () => void subscriber.disconnect());
}

export async function buildGatewayApp(config: GatewayConfig, deps: GatewayAppDeps = {}, fastifyOptions: FastifyServerOptions = {}) {
  const rewriteUrl = hostRewriter({ vote: config.VOTE_HOST, results: config.RESULTS_HOST, admin: config.ADMIN_HOST });
  const app = Fastify({
    ...baseServerOptions(),
    ...errorShapeOptions('GATEWAY'),
    // Our own ids: a sane incoming x-request-id is kept, anything else replaced.
    requestIdHeader: false,
    genReqId: requestId,
    rewriteUrl,
    trustProxy: config.TRUSTED_PROXIES.length ? [...config.TRUSTED_PROXIES] : false,
    // Fastify answers undecodable URLs before any hook; give them the gateway's error shape.
    frameworkErrors: (error, request, reply) => {
      const bad = new GatewayErrors.BAD_PATH();
      request.log.info({ errorCode: bad.code, cause: error.code }, 'bad request url');
      (reply as FastifyReply).header('x-request-id', request.id).code(400).send({ error: { code: bad.code, message: bad.message } });
    },
    // One line per request, written by requestLogPlugin.
    logController: new LogController({ disableRequestLogging: true }),
    ...fastifyOptions,
  });
  app.decorate('gatewayConfig', config);
  handleExpectContinue(app, rewriteUrl);
  keepAliveAfterRefusal(app);
  gateOpsEndpoints(app, config.OPS_TOKEN);
  // Filled on first use by clientIp() (plugins/proxy.ts); declared here so every request has the same shape.
  app.decorateRequest('gatewayClientIp', null);

  await app.register(errorHandlerPlugin, { prefix: 'GATEWAY' });
  await app.register(observabilityPlugin, { service: 'gateway' });
  await app.register(requestLogPlugin);
  await app.register(docsPlugin, {
    title: 'primaries gateway',
    description:
      'One public port; the Host header picks the site (VOTE_HOST → vote service, RESULTS_HOST → results service). ' +
      "The gateway's own /health, /ready, /metrics and /docs are served under /_gateway/ on any host.",
  });
  // A request-path client that fails fast, with a short command timeout: a slow Redis must not stall requests.
  // disconnectTimeout: ioredis keeps a timer of this length after disconnecting from a Redis it never reached.
  const redis = deps.redis ?? redisClient(config, { ...redisOptions('request'), commandTimeout: 500, disconnectTimeout: 200 });
  await app.register(redisPlugin, { connection: config, prefix: config.REDIS_PREFIX, client: redis });
  if (!deps.redis) app.addHook('onClose', async () => void redis.disconnect());
  // Give the first connection a moment so the first requests are limited, but start without Redis if it is away.
  await firstConnection(redis, 2000);

  const metrics = createGatewayMetrics(app.metrics);
  // Each site's upstream instances and their health, in /_gateway/ready (not a check: an
  // upstream being down is that upstream's readiness, not the gateway's).
  app.decorate('gatewayUpstreams', new Map());
  app.readinessDetails.set('upstreams', () => Object.fromEntries([...app.gatewayUpstreams].map(([site, set]) => [site, set.states()])));
  const cache = config.RESULTS_GATEWAY_CACHE ? new ResultsCache(config.RESULTS_GATEWAY_CACHE_MAX_BYTES) : null;
  app.decorate('resultsCache', cache);
  if (cache) {
    new Gauge({ name: 'gateway_results_cache_entries', help: 'Answers held in the results cache', registers: [app.metrics], collect() { this.set(cache.entries); } });
    new Gauge({ name: 'gateway_results_cache_bytes', help: 'Approximate bytes held in the results cache', registers: [app.metrics], collect() { this.set(cache.bytes); } });
    await purgeOnNewSnapshot(app, cache, config);
  }

  await app.register(voteSite, { prefix: SITE_PREFIX.vote, config, metrics });
  await app.register(resultsSite, { prefix: SITE_PREFIX.results, config, metrics, cache });
  await app.register(adminSite, { prefix: SITE_PREFIX.admin, config, metrics });
  await app.register(unknownHost, { prefix: UNKNOWN_HOST_PREFIX });
  return app;
}

/** Resolves when the client is ready, fails to connect once, or after `ms` — never rejects. */
function firstConnection(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
    redis.once('error', done);
  });
}
