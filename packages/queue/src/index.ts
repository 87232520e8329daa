import { Redis, type RedisOptions } from 'ioredis';
import { type RedisSettings, redisSentinelOptions } from '@primaries/config';

/**
 * Queue names. BullMQ keys live under `<REDIS_PREFIX>:bull` (the `prefix` option), so a
 * test or a second stack sharing one Redis never sees another's jobs.
 */
export const QUEUES = {
  /** Batches of ballots from the vote service to the worker (many votes per job). */
  votes: 'votes',
  /** Batches that can never be recorded, kept for an operator to inspect. */
  votesDead: 'votes-dead',
  /** One-time codes to send; the queue's limiter matches the SMS provider's capacity. */
  sms: 'sms',
  /** Results rebuilds: a job scheduler every refresh interval, and on demand. */
  tallies: 'tallies',
  /** Complaints from the public sites to the worker that stores them (issue #14). */
  complaints: 'complaints',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** The BullMQ `prefix` for a deployment's REDIS_PREFIX. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

/**
 * Every Redis client of the system is made here: REDIS_URL, through Sentinel when the
 * settings name sentinels (REDIS_SENTINELS), with the caller's role options on top.
 */
export function redisClient(settings: RedisSettings, options: RedisOptions = {}): Redis {
  const url = typeof settings === 'string' ? settings : settings.REDIS_URL;
  return new Redis(url, { ...options, ...redisSentinelOptions(settings) });
}

/**
 * A connection for a BullMQ producer on the request path: fails fast when Redis is away
 * instead of buffering commands (BullMQ "going to production").
 */
export function producerConnection(settings: RedisSettings): Redis {
  return redisClient(settings, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

/** A connection for a BullMQ Worker: waits and retries forever (`maxRetriesPerRequest: null`). */
export function workerConnection(settings: RedisSettings): Redis {
  return redisClient(settings, { maxRetriesPerRequest: null, enableOfflineQueue: true });
}

/**
 * A BullMQ job id from business-key parts: no ':' (BullMQ's key separator) and never all
 * digits (reserved for BullMQ's own counter).
 */
export function jobId(kind: string, ...parts: Array<string | number>): string {
  return [kind, ...parts].join('-').replace(/:/g, '_');
}
export * from './votes';
export * from './tallies';
export * from './sms';
