import { Writable } from 'node:stream';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type Database, createDb, migrateToLatest } from '@primaries/db';
import type { Kysely } from 'kysely';

/** The Postgres server tests run against (trust auth, user postgres, as on the dev machine and CI). */
export const TEST_PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A short random id for naming a test's database, Redis prefix and queues. */
export function uniqueId(label = 't'): string {
  return `${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${randomBytes(5).toString('hex')}`;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** Creates a fresh, migrated database of its own for one test file. */
export async function createTestDatabase(label = 'test', { migrate = true } = {}): Promise<TestDatabase> {
  const name = `primaries_${uniqueId(label)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(TEST_PG_ADMIN_URL, name);
  const db = createDb({ url, poolMax: 5, applicationName: `test-${label}` });
  if (migrate) await migrateToLatest(db);
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export interface TestRedis {
  prefix: string;
  url: string;
  redis: Redis;
  /** Deletes every key under the prefix and disconnects. */
  cleanup(): Promise<void>;
}

/** A Redis connection and a key prefix of the test's own (also usable as a BullMQ prefix). */
export async function createTestRedis(label = 'test'): Promise<TestRedis> {
  const prefix = `test_${uniqueId(label)}`;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  return {
    prefix,
    url: TEST_REDIS_URL,
    redis,
    async cleanup() {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** Deletes every key that starts with the prefix (SCAN, not KEYS). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/** Waits until the predicate holds, polling; fails with the message after the timeout. */
export async function waitFor(predicate: () => Promise<boolean> | boolean, { timeoutMs = 10_000, intervalMs = 50, message = 'condition' } = {}): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${message}`);
}

export * from './fixtures';
export * from './evidence-files';
export * from './redis-server';
export * from './postgres-server';

/** A TCP port free on 127.0.0.1 right now (for a child server that needs a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A writable stream that keeps every line written to it (give it to pino to inspect logs). */
export function captureLines(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}
export * from './redis-sentinel';
