import { Redis } from 'ioredis';

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
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** The BullMQ `prefix` for a deployment's REDIS_PREFIX. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

/**
 * A connection for a BullMQ producer on the request path: fails fast when Redis is away
 * instead of buffering commands (BullMQ "going to production").
 */
export function producerConnection(url: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

/** A connection for a BullMQ Worker: waits and retries forever (`maxRetriesPerRequest: null`). */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableOfflineQueue: true });
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
