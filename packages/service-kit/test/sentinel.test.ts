import { Queue, Worker } from 'bullmq';
import Fastify from 'fastify';
import type { Redis } from 'ioredis';
import { loadConfig } from '@primaries/config';
import { bullPrefix, producerConnection, redisClient, workerConnection } from '@primaries/queue';
import { type SentinelSetup, hasRedisServer, startRedisWithSentinel, uniqueId, waitFor } from '@primaries/testing';
import { observabilityPlugin, redisOptions, redisPlugin } from '../src';

/**
 * REDIS_SENTINELS end to end: a master, a replica and a sentinel of our own on free ports
 * (never the shared Redis), a service client and BullMQ connections built from the config
 * as the services build them, then the master is killed and the sentinel promotes the
 * replica. The clients must find the new master by themselves. Needs `redis-server`
 * (it runs as a sentinel with --sentinel); .ci/run installs it.
 */

const describeIfRedis = hasRedisServer() ? describe : describe.skip;
jest.setTimeout(90_000);

/** The port of the server a client is connected to now. */
async function serverPortOf(client: Redis): Promise<number> {
  const info = await client.info('server');
  return Number(/^tcp_port:(\d+)/m.exec(info)?.[1]);
}

let setup: SentinelSetup | undefined;
beforeAll(async () => {
  if (hasRedisServer()) setup = await startRedisWithSentinel();
});
afterAll(async () => {
  await setup?.stop();
});

describeIfRedis('Redis through Sentinel (REDIS_SENTINELS)', () => {
  it('connects every kind of client through the sentinel and follows a failover', async () => {
    const prefix = uniqueId('sentinel');
    // The host in REDIS_URL is never reached: the sentinel names the master.
    const config = loadConfig('results', {
      REDIS_URL: 'redis://unreachable.invalid:6379/0',
      REDIS_SENTINELS: `127.0.0.1:${setup!.ports.sentinel}`,
      REDIS_SENTINEL_NAME: setup!.masterName,
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

    const { ports, masterName, sentinel } = setup!;
    try {
      await waitFor(async () => (await app.inject({ url: '/ready' })).statusCode === 200, { timeoutMs: 15_000, message: '/ready through the sentinel' });
      expect(await serverPortOf(app.redis)).toBe(ports.master);
      await app.redis.set(`${prefix}:before`, 'kept');
      await queue.add('n', { n: 1 });
      await waitFor(() => done.includes(1), { timeoutMs: 15_000, message: 'the first job' });
      // Make sure the replica has everything before the master dies (replication is asynchronous).
      expect(await app.redis.call('WAIT', '1', '5000')).toBe(1);

      setup!.killMaster();
      await waitFor(async () => {
        const [host, port] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as string[];
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
