import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis, RedisOptions } from 'ioredis';
import type { RedisSettings } from '@primaries/config';
import { redisClient } from '@primaries/queue';
import { probePostgres } from './stack/postgres';
import { probeRedis } from './stack/redis';
import { STATE_FILE, defaultDataDir, readStackState } from './stack/state';

/**
 * How `pnpm primaries` finds the stores, and fails when it cannot reach them.
 *
 * URLs come from the environment (DATABASE_URL, REDIS_URL / REDIS_SENTINELS, REDIS_PREFIX);
 * what it does not set is taken from the `stack.json` of a running `pnpm start`
 * (PRIMARIES_DATA_DIR or .data), so the commands reach the embedded Postgres and the
 * redis-server it ran; then the services' defaults. A store that does not answer is one
 * line on stderr and exit code 1: no stack trace, no retry loop, no hang.
 */

/** Where each URL came from, for the error line. */
const origin: Record<'DATABASE_URL' | 'REDIS_URL', string> = { DATABASE_URL: 'the default', REDIS_URL: 'the default' };

/** A store that cannot be reached: main.ts prints the message alone and exits 1. */
export class StoreUnreachable extends Error {
  override name = 'StoreUnreachable';
}

/** Fills what the environment leaves unset from a running `pnpm start` (see above). */
export function useStackState(env: NodeJS.ProcessEnv = process.env): void {
  for (const k of ['DATABASE_URL', 'REDIS_URL'] as const) if (env[k]) origin[k] = k;
  if (env.REDIS_SENTINELS) origin.REDIS_URL = 'REDIS_SENTINELS';
  const dataDir = defaultDataDir(env);
  const state = readStackState(dataDir);
  if (!state) return;
  const file = path.join(dataDir, STATE_FILE);
  const relative = path.relative(process.cwd(), file);
  const from = `${relative.startsWith('..') ? file : relative}, written by pnpm start`;
  if (!env.DATABASE_URL) {
    env.DATABASE_URL = state.databaseUrl;
    origin.DATABASE_URL = from;
  }
  if (!env.REDIS_URL && !env.REDIS_SENTINELS) {
    if (state.redisSentinels) {
      env.REDIS_SENTINELS = state.redisSentinels;
      env.REDIS_SENTINEL_NAME ??= state.redisSentinelName;
    }
    env.REDIS_URL = state.redisUrl;
    origin.REDIS_URL = from;
  }
  if (!env.REDIS_PREFIX && state.redisPrefix) env.REDIS_PREFIX = state.redisPrefix;
  // The stack's own ballot sealing key (stack/ballot-keys.ts), for `results rebuild --direct`.
  if (!env.BALLOT_KEYS && env.NODE_ENV !== 'production') {
    try {
      env.BALLOT_KEYS = readFileSync(path.join(dataDir, 'ballot-keys'), 'utf8').trim() || undefined;
    } catch {
      // None yet.
    }
  }
  if (!env.RESULTS_SIGNING_KEY && env.NODE_ENV !== 'production') {
    try {
      env.RESULTS_SIGNING_KEY = readFileSync(path.join(dataDir, 'signing-key'), 'utf8').trim() || undefined;
    } catch {
      // None yet.
    }
  }
}

function where(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

function redisWhere(settings: RedisSettings): string {
  if (typeof settings !== 'string' && settings.REDIS_SENTINELS?.length) {
    return `the master ${settings.REDIS_SENTINEL_NAME} of the sentinels ${settings.REDIS_SENTINELS.map((s) => `${s.host}:${s.port}`).join(',')}`;
  }
  return where(typeof settings === 'string' ? settings : settings.REDIS_URL);
}

const hint = (k: 'DATABASE_URL' | 'REDIS_URL') => (origin[k] === 'the default' ? `${k} unset, the default; is pnpm start running?` : `from ${origin[k]}`);

/** Throws StoreUnreachable unless Postgres answers within a few seconds. */
export async function requirePostgres(url: string): Promise<void> {
  const probe = await probePostgres(url, 3000);
  if (!probe.ok) {
    const why = probe.reason === 'unreachable' ? 'nothing answers' : probe.message;
    throw new StoreUnreachable(`cannot reach Postgres at ${where(url)} (${hint('DATABASE_URL')}): ${why}`);
  }
}

/** Throws StoreUnreachable unless Redis answers PING within a few seconds. */
export async function requireRedis(settings: RedisSettings): Promise<void> {
  if (!(await probeRedis(settings, 3000))) throw new StoreUnreachable(`cannot reach Redis at ${redisWhere(settings)} (${hint('REDIS_URL')}): nothing answers`);
}

const closing = new WeakSet<Redis>();
const onLost: (message: string) => void = (message) => {
  console.error(`primaries: ${message}`);
  process.exit(1);
};

/**
 * A Redis connection for a command: never reconnects. Losing Redis mid-command is one line
 * and exit 1 (`onLost`), not an endless retry. `blocking`: for BullMQ, which wants
 * maxRetriesPerRequest null; commands in flight still fail when the connection ends.
 */
export function cliRedis(settings: RedisSettings, { blocking = false }: { blocking?: boolean } = {}): Redis {
  const options: RedisOptions = {
    connectTimeout: 3000,
    maxRetriesPerRequest: blocking ? null : 1,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  };
  const client = redisClient(settings, options);
  let last: Error | undefined;
  client.on('error', (err: Error) => { last = err; });
  client.on('end', () => {
    if (!closing.has(client)) onLost(`lost Redis at ${redisWhere(settings)} (${hint('REDIS_URL')}): ${last?.message || 'connection closed'}`);
  });
  return client;
}

/** Closes a connection from cliRedis without it counting as lost. */
export function closeRedis(client: Redis): void {
  closing.add(client);
  client.disconnect();
}

/** The message of an error, even an AggregateError (Node's happy eyeballs) whose own message is empty. */
export function errorLine(err: unknown): string {
  if (err instanceof AggregateError && !err.message) {
    const first = err.errors[0] as (Error & { code?: string }) | undefined;
    return first?.message || first?.code || 'connection failed';
  }
  if (err instanceof Error) return err.message || (err as Error & { code?: string }).code || err.name;
  return String(err);
}
