import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '@primaries/config';
import { bullPrefix, producerConnection, redisClient, workerConnection } from '@primaries/queue';
import { freePort, uniqueId, waitFor } from '@primaries/testing';
import { observabilityPlugin, redisOptions, redisPlugin } from '../src';

/**
 * REDIS_SENTINELS end to end: a master, a replica and a sentinel of our own on free ports
 * (never the shared Redis), a service client and BullMQ connections built from the config
 * as the services build them, then the master is killed and the sentinel promotes the
 * replica. The clients must find the new master by themselves. Needs `redis-server`
 * (it runs as a sentinel with --sentinel); .ci/run installs it.
 */

const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
const describeIfRedis = hasRedisServer ? describe : describe.skip;
jest.setTimeout(90_000);

const MASTER_NAME = 'primaries-test';
const dir = mkdtempSync(path.join(tmpdir(), 'primaries-sentinel-'));
const children: ChildProcess[] = [];

function run(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  child.once('error', () => {});
  children.push(child);
  return child;
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

/** The port the client's connection is on now (ioredis keeps the resolved address in `stream`). */
async function serverPortOf(client: Redis): Promise<number> {
  const info = await client.info('server');
  return Number(/^tcp_port:(\d+)/m.exec(info)?.[1]);
}

let ports: { master: number; replica: number; sentinel: number };
let master: ChildProcess;
let admin: Redis;

beforeAll(async () => {
  if (!hasRedisServer) return;
  ports = { master: await freePort(), replica: await freePort(), sentinel: await freePort() };
  const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  master = run(['--port', String(ports.master), ...common]);
  run(['--port', String(ports.replica), '--replicaof', '127.0.0.1', String(ports.master), ...common]);
  const conf = path.join(dir, 'sentinel.conf');
  writeFileSync(conf, [
    `port ${ports.sentinel}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${ports.master} 1`,
    `sentinel down-after-milliseconds ${MASTER_NAME} 1000`,
    `sentinel failover-timeout ${MASTER_NAME} 10000`,
    '',
  ].join('\n'));
  run([conf, '--sentinel']);
  for (const p of Object.values(ports)) await waitFor(() => answers(p), { timeoutMs: 15_000, message: `redis on ${p}` });
  admin = new Redis({ port: ports.sentinel, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  // A failover needs a replica the sentinel knows about and that has synced.
  await waitFor(async () => {
    const replicas = (await admin.call('SENTINEL', 'REPLICAS', MASTER_NAME)) as string[][];
    return replicas.some((fields) => fields.join(' ').includes(`port ${ports.replica}`) && fields[fields.indexOf('flags') + 1] === 'slave');
  }, { timeoutMs: 30_000, intervalMs: 200, message: 'the sentinel to discover the replica' });
});

afterAll(async () => {
  admin?.disconnect();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describeIfRedis('Redis through Sentinel (REDIS_SENTINELS)', () => {
  it('connects every kind of client through the sentinel and follows a failover', async () => {
    const prefix = uniqueId('sentinel');
    // The host in REDIS_URL is never reached: the sentinel names the master.
    const config = loadConfig('results', {
      REDIS_URL: 'redis://unreachable.invalid:6379/0',
      REDIS_SENTINELS: `127.0.0.1:${ports.sentinel}`,
      REDIS_SENTINEL_NAME: MASTER_NAME,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    });

    // A service's request-path client, as redisPlugin builds it, with /ready checking it.
    const app = Fastify();
    await app.register(observabilityPlugin, { service: 'test' });
    await app.register(redisPlugin, { connection: config, prefix });
    await app.ready();
    // BullMQ: a producer that fails fast and a worker that waits, as the vote service and the worker use them.
    const producer = producerConnection(config);
    const consumer = workerConnection(config);
    const plain = redisClient(config, { ...redisOptions('request'), maxRetriesPerRequest: 3 });
    const queue = new Queue<{ n: number }>('sentinel-test', { connection: producer, prefix: bullPrefix(prefix) });
    const done: number[] = [];
    const worker = new Worker<{ n: number }>('sentinel-test', async (job) => {
      done.push(job.data.n);
    }, { connection: consumer, prefix: bullPrefix(prefix) });
    // During the failover the clients report errors, as they do in the services (which log them).
    for (const client of [producer, consumer, plain]) client.on('error', () => {});
    worker.on('error', () => {});
    queue.on('error', () => {});

    try {
      await waitFor(async () => (await app.inject({ url: '/ready' })).statusCode === 200, { timeoutMs: 15_000, message: '/ready through the sentinel' });
      expect(await serverPortOf(app.redis)).toBe(ports.master);
      await app.redis.set(`${prefix}:before`, 'kept');
      await queue.add('n', { n: 1 });
      await waitFor(() => done.includes(1), { timeoutMs: 15_000, message: 'the first job' });
      // Make sure the replica has everything before the master dies (replication is asynchronous).
      expect(await app.redis.call('WAIT', '1', '5000')).toBe(1);

      master.kill('SIGKILL');
      await waitFor(async () => {
        const [host, port] = (await admin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)) as string[];
        return host === '127.0.0.1' && Number(port) === ports.replica;
      }, { timeoutMs: 60_000, intervalMs: 250, message: 'the sentinel to promote the replica' });

      // Every client finds the new master by itself, with no new configuration.
      await waitFor(async () => (await app.inject({ url: '/ready' })).statusCode === 200, { timeoutMs: 30_000, intervalMs: 250, message: '/ready after the failover' });
      await waitFor(async () => (await plain.set(`${prefix}:after`, 'written').catch(() => null)) === 'OK', { timeoutMs: 30_000, intervalMs: 250, message: 'a write after the failover' });
      expect(await serverPortOf(app.redis)).toBe(ports.replica);
      expect(await serverPortOf(plain)).toBe(ports.replica);
      expect(await app.redis.get(`${prefix}:before`)).toBe('kept');
      await waitFor(async () => Boolean(await queue.add('n', { n: 2 }).catch(() => null)), { timeoutMs: 30_000, intervalMs: 250, message: 'a job added after the failover' });
      await waitFor(() => done.includes(2), { timeoutMs: 30_000, message: 'the worker to take a job from the new master' });
      expect(done).toEqual([1, 2]);
    } finally {
      await worker.close();
      await queue.close();
      producer.disconnect();
      consumer.disconnect();
      plain.disconnect();
      await app.close();
    }
  });
});
