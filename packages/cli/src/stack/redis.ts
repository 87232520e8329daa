import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RedisSettings } from '@primaries/config';
import { redisClient } from '@primaries/queue';
import { StackError } from './errors';

/** PINGs the Redis of `settings` once (through its sentinels, if any), without retrying; true when it answers PONG. */
export async function probeRedis(settings: RedisSettings, timeoutMs = 2000): Promise<boolean> {
  const client = redisClient(settings, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Whether a `redis-server` binary is on PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface LocalRedis {
  url: string;
  stop(): Promise<void>;
}

/**
 * Runs `redis-server` with the queue settings of infra/redis/redis.conf (append-only,
 * noeviction) on 127.0.0.1:<port>, its files under `dataDir`, in its own process group
 * so that a terminal's Ctrl-C reaches only us and Redis stops after the services.
 */
export async function startLocalRedis(opts: { dataDir: string; port: number; configFile: string; log: (msg: string) => void }): Promise<LocalRedis> {
  const dataDir = path.resolve(opts.dataDir);
  const url = `redis://127.0.0.1:${opts.port}`;
  await mkdir(dataDir, { recursive: true });
  if (await probeRedis(url, 500)) {
    // A server left by an earlier run that was killed hard; it is not ours to stop.
    opts.log(`reusing the Redis already answering on ${url}`);
    return { url, stop: async () => {} };
  }
  opts.log(`starting redis-server on 127.0.0.1:${opts.port} (append-only files in ${dataDir})`);
  const child = spawn('redis-server', [
    opts.configFile,
    '--port', String(opts.port),
    '--bind', '127.0.0.1',
    '--protected-mode', 'yes',
    '--dir', dataDir,
    '--logfile', path.join(dataDir, 'redis.log'),
    '--daemonize', 'no',
  ], { detached: true, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => {});

  const deadline = Date.now() + 15_000;
  let exitCode: number | null | undefined;
  void exited.then((c) => { exitCode = c; });
  while (!(await probeRedis(url, 500))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new StackError(`redis-server did not start on port ${opts.port}`, `see ${path.join(dataDir, 'redis.log')}; the port may be taken (--redis-port)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      if (exitCode !== undefined) return;
      // SIGTERM makes Redis fsync the AOF and exit cleanly.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
