import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { Outages } from '@primaries/service-kit';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { loadConfig } from '@primaries/config';
import { createDb } from '@primaries/db';
import { createLogger } from '@primaries/logger';
import { QUEUES, SMS_JOB_ATTEMPTS, SMS_JOB_BACKOFF_MS, type SmsJob, bullPrefix, workerConnection } from '@primaries/queue';
import { outboxKey, readOutbox } from '@primaries/redis-protocols';
import { TEST_PG_ADMIN_URL, type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import type { Running, WorkerContext } from '../src/context';
import { startSendSms } from '../src/processors/send-sms';

// The send-sms processor against real Redis/BullMQ: the http provider against a real local
// HTTP server (retries with backoff, permanent refusals, timeouts), the outbox provider,
// expired codes, and the SMS_RATE_PER_SECOND limiter.

interface Received {
  authorization: string | undefined;
  body: unknown;
  at: number;
}

/** A local SMS gateway whose answers are scripted per call (then 200). */
function gateway(): { server: Server; url: () => string; received: Received[]; script: Array<number | 'hang'> } {
  const received: Received[] = [];
  const script: Array<number | 'hang'> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(raw), at: Date.now() });
      const next = script.shift() ?? 200;
      if (next === 'hang') return; // never answers: the provider's timeout must fire
      res.writeHead(next, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { server, url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, received, script };
}

describe('send-sms processor', () => {
  let tr: TestRedis;
  const db = createDb({ url: TEST_PG_ADMIN_URL, poolMax: 1 }); // never queried by this processor
  const gw = gateway();
  const running: Running[] = [];
  const connections: Redis[] = [];
  let producerConn: Redis;
  let queue: Queue;

  const start = async (env: Record<string, string>) => {
    const config = loadConfig('worker', { NODE_ENV: 'test', REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent', ...env });
    const connection = () => {
      const c = workerConnection(tr.url);
      connections.push(c);
      return c;
    };
    const ctx: WorkerContext = {
      config,
      db,
      log: createLogger('worker', 'silent'),
      metrics: new Registry(),
      outages: new Outages(createLogger('worker', 'silent')),
      bullPrefix: bullPrefix(tr.prefix),
      connection,
      redis: connection(),
    };
    const r = await startSendSms(ctx);
    if (!r) throw new Error('send-sms did not start');
    running.push(r);
    return { ctx, stop: () => r.close() };
  };
  const add = (job: Partial<SmsJob> & { to: string }, id: string) =>
    queue.add('code', { text: 'Праймериз: код 123456', expiresAt: Date.now() + 60_000, ...job }, {
      jobId: `sms-${id}`,
      attempts: SMS_JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: SMS_JOB_BACKOFF_MS },
      removeOnComplete: true,
      removeOnFail: true,
    });
  const addBatch = (messages: Array<Partial<SmsJob> & { to: string }>, id: string) =>
    queue.add('codes', { messages: messages.map((m) => ({ text: 'Праймериз: код 123456', expiresAt: Date.now() + 60_000, ...m })) }, {
      jobId: `sms-${id}`,
      attempts: SMS_JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: SMS_JOB_BACKOFF_MS },
      removeOnComplete: true,
      removeOnFail: true,
    });
  const jobGone = (id: string) => waitFor(async () => !(await queue.getJob(`sms-${id}`)), { timeoutMs: 15_000, message: `job ${id} removed` });

  beforeAll(async () => {
    tr = await createTestRedis('sendsms');
    await new Promise<void>((resolve) => gw.server.listen(0, '127.0.0.1', resolve));
    producerConn = tr.redis.duplicate();
    queue = new Queue(QUEUES.sms, { connection: producerConn, prefix: bullPrefix(tr.prefix) });
  });
  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
    await queue?.close();
    producerConn?.disconnect();
    for (const c of connections) c.disconnect();
    await new Promise((resolve) => gw.server.close(resolve));
    await db.destroy();
    await tr?.cleanup();
  });

  describe('http provider', () => {
    let stop: () => Promise<void>;
    beforeAll(async () => {
      ({ stop } = await start({ SMS_PROVIDER: 'http', SMS_HTTP_URL: gw.url(), SMS_HTTP_TOKEN: 'gw-secret', SMS_HTTP_TIMEOUT_MS: '300' }));
    });
    afterAll(async () => {
      await stop();
    });
    beforeEach(() => {
      gw.received.length = 0;
      gw.script.length = 0;
    });

    it('POSTs {to, text} with the bearer token, retrying 5xx and 429 with backoff until delivered, then removes the job', async () => {
      gw.script.push(503, 429);
      await add({ to: '+77011110001' }, 'retry');
      await waitFor(() => gw.received.length >= 3, { timeoutMs: 15_000, message: 'three deliveries' });
      await jobGone('retry');
      expect(gw.received).toHaveLength(3);
      expect(gw.received[0]).toMatchObject({ authorization: 'Bearer gw-secret', body: { to: '+77011110001', text: 'Праймериз: код 123456' } });
      // Exponential backoff: ~1 s, then ~2 s.
      const gaps = [gw.received[1]!.at - gw.received[0]!.at, gw.received[2]!.at - gw.received[1]!.at];
      expect(gaps[0]).toBeGreaterThanOrEqual(900);
      expect(gaps[1]).toBeGreaterThanOrEqual(1800);
    });

    it('retries a gateway that does not answer within SMS_HTTP_TIMEOUT_MS', async () => {
      gw.script.push('hang');
      await add({ to: '+77011110002' }, 'hang');
      await waitFor(() => gw.received.length >= 2, { timeoutMs: 10_000, message: 'a second delivery' });
      await jobGone('hang');
      expect(gw.received).toHaveLength(2);
    });

    it('does not retry a permanent refusal (4xx) and removes the failed job', async () => {
      gw.script.push(400);
      await add({ to: '+77011110003' }, 'refused');
      await waitFor(() => gw.received.length >= 1, { message: 'the delivery' });
      await jobGone('refused');
      await sleep(1500); // past the first backoff: a retry would have arrived
      expect(gw.received).toHaveLength(1);
    });

    it('in a batch job, retries only the messages the gateway did not take, drops refused and expired ones', async () => {
      // The first three deliveries (in arrival order) are answered 503, 400, 200.
      gw.script.push(503, 400, 200);
      await addBatch(
        [{ to: '+77011110011' }, { to: '+77011110012' }, { to: '+77011110013' }, { to: '+77011110014', expiresAt: Date.now() - 1 }],
        'batch',
      );
      await waitFor(() => gw.received.length >= 4, { timeoutMs: 15_000, message: 'four deliveries' });
      await jobGone('batch');
      await sleep(2500); // past the next backoff: a second retry would have arrived
      expect(gw.received).toHaveLength(4);
      const to = gw.received.map((r) => (r.body as { to: string }).to);
      // The expired code is never sent; each live one once, plus the one answered 503 again.
      expect(to.slice(0, 3).sort()).toEqual(['+77011110011', '+77011110012', '+77011110013']);
      expect(to[3]).toBe(to[0]);
      expect(gw.received[3]!.at - gw.received[0]!.at).toBeGreaterThanOrEqual(900);
    });

    it('drops a code that expired while it waited, without sending it', async () => {
      await add({ to: '+77011110004', expiresAt: Date.now() - 1 }, 'expired');
      await jobGone('expired');
      expect(gw.received).toHaveLength(0);
    });
  });

  describe('outbox provider', () => {
    let stop: () => Promise<void>;
    beforeAll(async () => {
      ({ stop } = await start({ SMS_PROVIDER: 'outbox', SMS_RATE_PER_SECOND: '5' }));
    });
    afterAll(async () => {
      await stop();
    });

    it('appends to the capped outbox stream and the per-phone list the dev endpoint reads', async () => {
      await add({ to: '+77011110005', text: 'Праймериз: код 654321' }, 'outbox');
      await jobGone('outbox');
      const messages = await readOutbox(tr.redis, tr.prefix, '+77011110005');
      expect(messages).toEqual([{ to: '+77011110005', text: 'Праймериз: код 654321', sentAt: expect.any(String) }]);
      const stream = await tr.redis.xrange(outboxKey(tr.prefix), '-', '+');
      expect(stream.some(([, f]) => f.includes('+77011110005'))).toBe(true);
      // No job (phone + code) left in Redis once sent.
      expect(await queue.getJobCounts('completed', 'failed', 'wait')).toEqual({ completed: 0, failed: 0, wait: 0 });
    });

    it('sends no faster than SMS_RATE_PER_SECOND', async () => {
      const started = Date.now();
      for (let i = 0; i < 12; i++) await add({ to: `+770122200${String(i).padStart(2, '0')}` }, `rate${i}`);
      await waitFor(async () => (await tr.redis.xlen(outboxKey(tr.prefix))) >= 13, { timeoutMs: 10_000, message: '12 more outbox messages' });
      // 12 messages at 5 per second span three limiter windows (unlimited, they take ~50 ms).
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    });

    it('counts messages, not jobs, against SMS_RATE_PER_SECOND: one job of 12 takes three windows', async () => {
      await sleep(1100); // a fresh window
      const before = await tr.redis.xlen(outboxKey(tr.prefix));
      const started = Date.now();
      await addBatch(
        Array.from({ length: 12 }, (_, i) => ({ to: `+770133300${String(i).padStart(2, '0')}` })),
        'ratebatch',
      );
      await waitFor(async () => (await tr.redis.xlen(outboxKey(tr.prefix))) >= before + 5, { timeoutMs: 5_000, message: 'the first window' });
      // Within the first window at most 5 went out.
      expect((await tr.redis.xlen(outboxKey(tr.prefix))) - before).toBeLessThanOrEqual(5);
      await waitFor(async () => (await tr.redis.xlen(outboxKey(tr.prefix))) >= before + 12, { timeoutMs: 10_000, message: '12 outbox messages' });
      await jobGone('ratebatch');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect((await readOutbox(tr.redis, tr.prefix, '+77013330011'))).toHaveLength(1);
    });
  });

  describe('shutdown mid-batch', () => {
    it('puts the messages that had not had their turn back in the queue, and a later worker sends only those', async () => {
      const first = await start({ SMS_PROVIDER: 'outbox', SMS_RATE_PER_SECOND: '1' });
      await sleep(1100); // a fresh window
      const phones = ['+77014440001', '+77014440002', '+77014440003'];
      await addBatch(phones.map((to) => ({ to })), 'shutdown');
      const sentTo = async () => (await Promise.all(phones.map((p) => readOutbox(tr.redis, tr.prefix, p)))).map((m) => m.length);
      await waitFor(async () => (await sentTo()).reduce((a, b) => a + b) >= 1, { timeoutMs: 5000, message: 'the first message' });
      await first.stop();
      const job = await queue.getJob('sms-shutdown');
      expect((job?.data as { messages: unknown[] }).messages).toHaveLength(2);
      expect((await sentTo()).reduce((a, b) => a + b)).toBe(1);

      const second = await start({ SMS_PROVIDER: 'outbox', SMS_RATE_PER_SECOND: '5' });
      await jobGone('shutdown');
      expect(await sentTo()).toEqual([1, 1, 1]);
      await second.stop();
    });
  });
});
