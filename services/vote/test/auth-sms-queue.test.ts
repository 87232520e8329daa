import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { waitFor } from '@primaries/testing';
import { authHarness, type AuthHarness } from './auth-harness';

// The request side of the sms queue: jobs that leave nothing behind, the backlog guard
// (503 + Retry-After once codes would expire in line), and Redis being away (503, nothing
// half-written).
describe('sms queue backlog', () => {
  let h: AuthHarness;
  let queue: Queue;
  let conn: Redis;
  // The app polls the backlog twice a second and exports it as a gauge.
  const backlogSeen = (n: number) =>
    waitFor(async () => (await h.app.inject({ method: 'GET', url: '/metrics' })).body.includes(`sms_queue_backlog{service="vote"} ${n}\n`), {
      timeoutMs: 5000,
      message: `backlog gauge at ${n}`,
    });

  beforeAll(async () => {
    // 1 SMS/s and 30 s codes: room for 15 waiting codes. No worker runs, so they wait.
    h = await authHarness('authsmsq', { SMS_RATE_PER_SECOND: '1', AUTH_CODE_TTL_SECONDS: '30' });
    conn = h.tr.redis.duplicate();
    queue = new Queue(QUEUES.sms, { connection: conn, prefix: bullPrefix(h.tr.prefix) });
  });
  afterAll(async () => {
    await queue?.close();
    conn?.disconnect();
    await h?.close();
  });

  it('queues one job per code with removal on completion and failure, and answers 503 + Retry-After once the backlog outlives the codes', async () => {
    for (let i = 0; i < 15; i++) {
      const m = await h.addMember();
      expect((await h.requestCode(m, `10.50.0.${i + 1}`)).status).toBe(202);
    }
    const jobs = await queue.getJobs(['wait', 'prioritized', 'delayed']);
    expect(jobs).toHaveLength(15);
    expect(jobs[0]!.opts).toMatchObject({ removeOnComplete: true, removeOnFail: true, attempts: 5 });
    expect(jobs[0]!.id).toMatch(/^sms-[A-Za-z0-9_-]{22}$/);

    await backlogSeen(15);
    const m = await h.addMember();
    const res = await h.requestCode(m, '10.50.1.1');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'VOTE_ERR_SMS_BUSY' } });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Shed before any work: no challenge, no cooldown, nothing counted for the member.
    expect(await h.tr.redis.exists(`${h.tr.prefix}:auth:cool:${m.id}`)).toBe(0);

    // As the backlog drains, requests are accepted again.
    await queue.drain();
    await backlogSeen(0);
    expect((await h.requestCode(m, '10.50.1.1')).status).toBe(202);
  });
});

describe('sms queue unreachable', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    // The app's own Redis works; the queue's producer connection points at a closed port.
    h = await authHarness('authsmsdown', {}, { REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 503 VOTE_ERR_UNAVAILABLE with Retry-After and leaves no challenge, cooldown or count behind', async () => {
    const m = await h.addMember();
    const res = await h.requestCode(m, '10.51.0.1');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'VOTE_ERR_UNAVAILABLE', message: expect.any(String) } });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await h.tr.redis.keys(`${h.tr.prefix}:auth:ch:*`)).toEqual([]);
    expect(await h.tr.redis.exists(`${h.tr.prefix}:auth:cool:${m.id}`)).toBe(0);
    expect(Number(await h.tr.redis.get(`${h.tr.prefix}:auth:rl-m:${m.id}`))).toBe(0);
  });
});

describe('sms queue batching', () => {
  let h: AuthHarness;
  let queue: Queue;
  let conn: Redis;

  beforeAll(async () => {
    h = await authHarness('authsmsbatch');
    conn = h.tr.redis.duplicate();
    queue = new Queue(QUEUES.sms, { connection: conn, prefix: bullPrefix(h.tr.prefix) });
  });
  afterAll(async () => {
    await queue?.close();
    conn?.disconnect();
    await h?.close();
  });

  it('puts the codes of concurrent requests into shared jobs, one message per accepted code, and the worker sends each', async () => {
    const members = await Promise.all(Array.from({ length: 30 }, () => h.addMember()));
    const answers = await Promise.all(members.map((m, i) => h.requestCode(m, `10.52.0.${i + 1}`)));
    expect(answers.map((a) => a.status)).toEqual(members.map(() => 202));

    const jobs = await queue.getJobs(['wait', 'prioritized', 'delayed']);
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    expect(jobs.length).toBeLessThan(30);
    for (const job of jobs) {
      expect(job.name).toBe('codes');
      expect(job.id).toMatch(/^sms-[A-Za-z0-9_-]{22}$/);
      expect(job.opts).toMatchObject({ removeOnComplete: true, removeOnFail: true, attempts: 5 });
    }
    const queued = jobs.flatMap((j) => (j.data as { messages: Array<{ to: string }> }).messages.map((m) => m.to));
    expect(queued.sort()).toEqual(members.map((m) => m.phone).sort());
    // The backlog is counted in messages, not jobs.
    await waitFor(async () => (await h.tr.redis.get(`${h.tr.prefix}:sms:queued`)) === '30', { message: '30 messages counted' });

    await h.startSms();
    for (const m of members) expect(await h.codeFor(m.phone)).toMatch(/^\d{6}$/);
    await waitFor(async () => (await queue.getJobCounts('wait', 'active', 'completed', 'failed', 'delayed', 'prioritized')).wait === 0, { message: 'queue drained' });
    const counts = await queue.getJobCounts('wait', 'active', 'completed', 'failed', 'delayed', 'prioritized');
    expect(counts).toEqual({ wait: 0, active: 0, completed: 0, failed: 0, delayed: 0, prioritized: 0 });
    await waitFor(async () => (await h.tr.redis.get(`${h.tr.prefix}:sms:queued`)) === '0', { message: 'the sent messages taken off the count' });
  });
});
