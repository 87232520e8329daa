import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisSettings } from '@primaries/config';
import { redisClient } from '@primaries/queue';
import { ensureScripts } from '@primaries/redis-protocols';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
    /** Prefix of this deployment's keys and queues (REDIS_PREFIX). */
    redisPrefix: string;
  }
}

/**
 * Options for a Redis client by role, after BullMQ's production guide:
 * request-path clients fail fast instead of queueing commands while Redis is away;
 * workers wait and retry forever. Request-path clients auto-pipeline: the commands that
 * concurrent requests issue in one event-loop tick go out in one socket write instead of
 * one write each (the per-command write was the vote service's largest CPU cost under
 * load, docs/bench/perf.md). Order and each command's atomicity are unchanged.
 */
export function redisOptions(role: 'request' | 'worker'): RedisOptions {
  return role === 'request'
    ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false, enableAutoPipelining: true }
    : { maxRetriesPerRequest: null, enableOfflineQueue: true };
}

/** A request-path ioredis client (through Sentinel when configured) decorated as `app.redis`, checked by /ready, closed with the app. */
export const redisPlugin = fp(
  async (app: FastifyInstance, opts: { connection: RedisSettings; prefix: string; client?: Redis }) => {
    const redis = opts.client ?? redisClient(opts.connection, redisOptions('request'));
    // ioredis reconnects by itself; an 'error' event without a listener would crash the
    // process. One log line when Redis goes away and one when it is back, not one per retry.
    redis.on('error', (err) => app.outages.report('redis', err));
    redis.on('ready', () => app.outages.recovered('redis'));
    app.decorate('redis', redis);
    app.decorate('redisPrefix', opts.prefix);
    app.readiness?.set('redis', async () => {
      await redis.ping();
    });
    app.addHook('onClose', async () => {
      if (!opts.client) redis.disconnect();
    });
  },
  { name: 'redis', dependencies: ['observability'] },
);

/**
 * Loads every Lua script of @primaries/redis-protocols into Redis when the app starts
 * (onReady, before it listens), and makes /ready answer 200 only once they are all there:
 * its check loads what is missing, so after a Redis restart the scripts are back before the
 * instance is ready again (and the helper's NOSCRIPT fallback covers requests in between).
 */
export const redisScriptsPlugin = fp(
  async (app: FastifyInstance) => {
    app.readiness.set('redis-scripts', () => ensureScripts(app.redis));
    app.addHook('onReady', async () => {
      try {
        // A fail-fast client refuses commands until connected: give it a moment at start.
        if (app.redis.status !== 'ready') await Promise.race([once(app.redis, 'ready'), sleep(2000, undefined, { ref: false })]);
        await ensureScripts(app.redis);
      } catch (err) {
        app.log.warn({ err: { message: (err as Error).message } }, 'redis scripts not loaded at start; /ready loads them once Redis answers');
      }
    });
  },
  { name: 'redis-scripts', dependencies: ['redis', 'observability'] },
);
