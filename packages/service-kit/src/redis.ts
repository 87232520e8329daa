import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisSettings } from '@primaries/config';
import { redisClient } from '@primaries/queue';

declare module 'fastify' {
  interface FastifyInstance {
    redis: Redis;
    /** Prefix of this deployment's keys and queues (REDIS_PREFIX). */
    redisPrefix: string;
  }
}

/**
 * Options for a Redis client by role, after BullMQ's production guide (STYLE.md habit 7):
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
    // ioredis reconnects by itself; an 'error' event without a listener would crash the process.
    redis.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'redis error'));
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
