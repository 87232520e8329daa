import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where a running `pnpm start` keeps its stores: `<data dir>/stack.json`, written once the
 * services are launched and removed when it stops. `pnpm primaries` reads it when the
 * environment names no DATABASE_URL / REDIS_URL, so the commands reach the embedded
 * Postgres and the redis-server that `pnpm start` ran as its fallbacks.
 */
export interface StackState {
  /** The `pnpm start` process: a file whose process is gone is stale and ignored. */
  pid: number;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix?: string;
  redisSentinels?: string;
  redisSentinelName?: string;
  ports?: Record<string, number>;
  /** The port of each instance of each service (several with `--scale`). */
  instances?: Record<string, number[]>;
}

export const STATE_FILE = 'stack.json';

/** The data dir `pnpm start` uses by default: PRIMARIES_DATA_DIR, or .data at the repository root. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PRIMARIES_DATA_DIR || path.resolve(__dirname, '..', '..', '..', '..', '.data');
}

export async function writeStackState(dataDir: string, state: StackState): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, STATE_FILE);
  // Written whole, then renamed: a reader never sees half a file. 0600: URLs may hold passwords.
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** Removes the state file if it is still this process's (a newer `pnpm start` may have replaced it). */
export async function removeStackState(dataDir: string, pid: number): Promise<void> {
  const file = path.join(dataDir, STATE_FILE);
  const current = await readFile(file, 'utf8').then((t) => JSON.parse(t) as StackState, () => undefined);
  if (current?.pid === pid) await rm(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of the `pnpm start` running on `dataDir`, or undefined (none, unreadable, or its process gone). */
export function readStackState(dataDir = defaultDataDir()): StackState | undefined {
  let state: StackState;
  try {
    state = JSON.parse(readFileSync(path.join(dataDir, STATE_FILE), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
  if (typeof state?.pid !== 'number' || typeof state.databaseUrl !== 'string' || typeof state.redisUrl !== 'string') return undefined;
  return alive(state.pid) ? state : undefined;
}
