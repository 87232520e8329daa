import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '@primaries/config';
import type { Database } from '@primaries/db';
import type { Logger } from '@primaries/logger';
import { type Outages, dependencyFailure } from '@primaries/service-kit';

/** What every processor gets from main.ts. */
export interface WorkerContext {
  config: WorkerConfig;
  db: Kysely<Database>;
  log: Logger;
  /** The worker's Prometheus registry (served at /metrics). */
  metrics: Registry;
  /** Which stores are away: one log line per outage, not one per failed job. */
  outages: Outages;
  /** BullMQ prefix for this deployment (bullPrefix(REDIS_PREFIX)). */
  bullPrefix: string;
  /** A new Redis connection for a BullMQ Worker (maxRetriesPerRequest: null). */
  connection(): Redis;
  /** A shared Redis client for plain commands. */
  redis: Redis;
}

/** A running processor: main.ts closes them all, before the database and Redis, on SIGTERM. */
export interface Running {
  name: string;
  close(): Promise<void>;
}

/**
 * A BullMQ Worker's or Queue's 'error' event: its connection to Redis failing is an outage,
 * logged once (`ctx.outages`); anything else is logged as it comes.
 */
export function onQueueError(ctx: Pick<WorkerContext, 'outages' | 'log'>, what: string): (err: Error) => void {
  return (err) => {
    if (dependencyFailure(err)) ctx.outages.report('redis', err);
    else ctx.log.warn({ err: { message: err.message } }, what);
  };
}
