/**
 * How many BullMQ jobs per second one Redis carries (issue #17's capacity model,
 * docs/capacity.md): adds `--jobs` vote-batch jobs of `--votes` votes each (the vote
 * service's job shape and options) from `--producers` concurrent producers, then drains them
 * with a worker whose processor does nothing, and reports jobs/s and, what sets the
 * ceiling, the Redis server's CPU per job (INFO cpu before and after: includes any other
 * client of the same server, so run it on a quiet one).
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/queue-ceiling/run.ts [--jobs 20000] [--votes 10] [--producers 50] [--concurrency 50]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { VOTE_BATCH_JOB, jobId, voteBatchJobOptions } from '@primaries/queue';

const { values: a } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    votes: { type: 'string', default: '10' },
    producers: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '50' },
    'redis-url': { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const JOBS = Number(a.jobs);
const VOTES = Number(a.votes);
const prefix = `ceiling${process.pid}`;
const name = 'votes';

/** Redis server CPU seconds (user + sys) so far. */
async function redisCpu(r: Redis): Promise<number> {
  const info = await r.info('cpu');
  const n = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return n('used_cpu_user') + n('used_cpu_sys');
}

/** One vote as the queue carries it (the sealed ballot is ~200 bytes). */
function vote(i: number) {
  return { memberId: String(1000 + i), contestId: 1 + (i % 3), receiptHash: 'a'.repeat(64), sealed: `k1.${'x'.repeat(200)}` };
}

async function main() {
  const admin = new Redis(a['redis-url']);
  const connection = () => new Redis(a['redis-url'], { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection: connection(), prefix });
  const votes = Array.from({ length: VOTES }, (_, i) => vote(i));
  let added = 0;
  const cpu0 = await redisCpu(admin);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Number(a.producers) }, async () => {
    while (added < JOBS) {
      added += 1;
      const batchId = randomUUID();
      await queue.add(VOTE_BATCH_JOB, { batchId, votes }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
    }
  }));
  const addS = (performance.now() - t0) / 1000;
  const cpu1 = await redisCpu(admin);

  let done = 0;
  const t1 = performance.now();
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker(name, async () => undefined, { connection: connection(), prefix, concurrency: Number(a.concurrency) });
    worker.on('completed', () => {
      done += 1;
      if (done === JOBS) void worker.close().then(() => resolve());
    });
  });
  await finished;
  const workS = (performance.now() - t1) / 1000;
  const cpu2 = await redisCpu(admin);

  const us = (cpu: number) => Math.round((cpu * 1e6) / JOBS);
  console.log(JSON.stringify({
    jobs: JOBS,
    votesPerJob: VOTES,
    add: { jobsPerSecond: Math.round(JOBS / addS), redisCpuUsPerJob: us(cpu1 - cpu0) },
    process: { jobsPerSecond: Math.round(JOBS / workS), redisCpuUsPerJob: us(cpu2 - cpu1) },
    redisCpuUsPerJobTotal: us(cpu2 - cpu0),
    jobsPerRedisCoreSecond: Math.round(JOBS / (cpu2 - cpu0)),
  }));
  await queue.obliterate({ force: true });
  await queue.close();
  admin.disconnect();
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
