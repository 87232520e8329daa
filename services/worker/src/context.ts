import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { WorkerConfig } from '@primaries/config';
import type { Database } from '@primaries/db';
import type { Logger } from '@primaries/logger';

/** What every processor gets from main.ts. */
export interface WorkerContext {
  config: WorkerConfig;
  db: Kysely<Database>;
  log: Logger;
  /** The worker's Prometheus registry (served at /metrics). */
  metrics: Registry;
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
