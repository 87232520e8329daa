import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './index';

/** A redis-server of a test's own, which the test may stop, kill and start again on the same port and files. */
export interface OwnRedis {
  url: string;
  port: number;
  /** SIGTERM (an AOF is fsynced) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port, from its files (the AOF when `appendonly`). */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

/**
 * Starts `redis-server` on a free loopback port with its files in a temporary directory.
 * `config` is a redis.conf to load first (e.g. infra/redis/redis.conf: append-only,
 * noeviction); the port, bind address and directory are always the test's own.
 */
export async function startOwnRedis(opts: { config?: string } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'primaries-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const start = async () => {
    const args = [...(opts.config ? [opts.config] : []), '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no', '--save', ''];
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    c.once('error', () => {});
    // Redis logs this line once it has loaded its files and listens.
    let out = '';
    const ready = new Promise<void>((resolve) => {
      c.stdout.on('data', (d: Buffer) => {
        out = (out + d.toString()).slice(-4096);
        if (out.includes('Ready to accept connections')) resolve();
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}: ${out.slice(-500)}`)), 15_000);
      void exited.then(() => reject(new Error(`redis-server exited at start: ${out.slice(-500)}`)));
    });
    try {
      await Promise.race([ready, failed]);
    } finally {
      clearTimeout(timer);
    }
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    await exited;
  };
  await start();
  return {
    url,
    port,
    start,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    async destroy() {
      await signal('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
