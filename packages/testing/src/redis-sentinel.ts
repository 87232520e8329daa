import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, waitFor } from './index';

/** Whether `redis-server` is installed (it also runs as a sentinel with --sentinel). */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface SentinelSetup {
  masterName: string;
  ports: { master: number; replica: number; sentinel: number };
  /** A client of the sentinel itself (SENTINEL commands). */
  sentinel: Redis;
  /** Kills the master hard (SIGKILL), as a crash would. */
  killMaster(): void;
  /** Stops every process and removes their files. */
  stop(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  c.on('error', () => {});
  try {
    await c.connect();
    return (await c.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    c.disconnect();
  }
}

/**
 * A Redis master, a replica and one sentinel of the test's own, on free ports of 127.0.0.1
 * (never the shared Redis), without persistence. Resolves once the sentinel knows the
 * replica, so that a failover can happen.
 */
export async function startRedisWithSentinel(masterName = 'primaries-test'): Promise<SentinelSetup> {
  const dir = mkdtempSync(path.join(tmpdir(), 'primaries-sentinel-'));
  const children: ChildProcess[] = [];
  const run = (args: string[]) => {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    child.once('error', () => {});
    children.push(child);
    return child;
  };
  const ports = { master: await freePort(), replica: await freePort(), sentinel: await freePort() };
  const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const master = run(['--port', String(ports.master), ...common]);
  run(['--port', String(ports.replica), '--replicaof', '127.0.0.1', String(ports.master), ...common]);
  const conf = path.join(dir, 'sentinel.conf');
  writeFileSync(conf, [
    `port ${ports.sentinel}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${masterName} 127.0.0.1 ${ports.master} 1`,
    `sentinel down-after-milliseconds ${masterName} 1000`,
    `sentinel failover-timeout ${masterName} 10000`,
    '',
  ].join('\n'));
  run([conf, '--sentinel']);
  const stop = async () => {
    sentinel?.disconnect();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
    rmSync(dir, { recursive: true, force: true });
  };
  let sentinel: Redis | undefined;
  try {
    for (const p of Object.values(ports)) await waitFor(() => answers(p), { timeoutMs: 15_000, message: `redis on ${p}` });
    const s = new Redis({ port: ports.sentinel, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    sentinel = s;
    await waitFor(async () => {
      const replicas = (await s.call('SENTINEL', 'REPLICAS', masterName)) as string[][];
      return replicas.some((fields) => fields.join(' ').includes(`port ${ports.replica}`) && fields[fields.indexOf('flags') + 1] === 'slave');
    }, { timeoutMs: 30_000, intervalMs: 200, message: 'the sentinel to discover the replica' });
    return { masterName, ports, sentinel: s, killMaster: () => master.kill('SIGKILL'), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
