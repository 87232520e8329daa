import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { QUEUES, SMS_BATCH_MAX, SMS_JOB_ATTEMPTS, SMS_JOB_BACKOFF_MS, type SmsJob, bullPrefix, jobId, producerConnection } from '@primaries/queue';
import { countQueuedSms, readQueuedSms, resetQueuedSms } from '@primaries/redis-protocols';
import { StoreUnavailableError } from '@primaries/service-kit';

/**
 * The producer side of the `sms` queue (the worker's send-sms processor delivers). It
 * also watches the backlog: when more codes wait than the provider can send while a
 * code is still half alive (SMS_RATE_PER_SECOND × AUTH_CODE_TTL_SECONDS / 2), new
 * requests get 503 + Retry-After — a login storm waits its turn instead of receiving
 * codes that expire in the queue.
 *
 * The codes issued in one event-loop tick leave as one `codes` job (up to SMS_BATCH_MAX
 * messages, id from the first challenge): under a storm that is one BullMQ add, and one
 * job for the worker to take and finish, per tick instead of per code. Each request still
 * answers only after its job is in Redis, and when the add fails every request of that
 * job gets the error (and withdraws its challenge).
 */
interface SmsQueue {
  /** Queues one message (in this tick's job, removed from Redis once sent or failed); resolves once the job is added. */
  enqueue(challengeId: string, job: SmsJob): Promise<void>;
  /** Seconds a new request should wait before asking, or 0 when there is room. */
  retryAfterSeconds(): number;
  /** The backlog as last seen plus what this process queued since. */
  backlog(): number;
  /** Re-reads the backlog now (tests; the plugin does it twice a second). */
  refresh(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    smsQueue: SmsQueue;
  }
}

const POLL_MS = 500;

export const smsQueuePlugin = fp(
  async (app: FastifyInstance) => {
    const config = app.config;
    const connection = producerConnection(config);
    // Redis going away is logged once by app.outages (the app's own client logs it coming back).
    connection.on('error', (err) => app.outages.report('redis', err));
    let everReady = false;
    connection.once('ready', () => (everReady = true));
    // A fail-fast client refuses commands until connected: give it a moment at start. If
    // Redis is away, start anyway — requests answer 503 until ioredis reconnects.
    await Promise.race([once(connection, 'ready'), sleep(2000, undefined, { ref: false })]).catch(() => undefined);

    // The Queue is made once the connection is up: BullMQ's start-up check (INFO) on a
    // fail-fast connection that is not ready would fail for good.
    const prefix = bullPrefix(config.REDIS_PREFIX);
    let queue: Queue | null = null;
    let opening: Promise<Queue> | null = null;
    const getQueue = (): Promise<Queue> => {
      if (queue) return Promise.resolve(queue);
      opening ??= (async () => {
        // Still starting (never connected yet): wait a moment rather than refuse the first requests.
        if (connection.status !== 'ready' && !everReady) await Promise.race([once(connection, 'ready'), sleep(1000, undefined, { ref: false })]).catch(() => undefined);
        if (connection.status !== 'ready') throw new StoreUnavailableError('redis', 'sms queue: redis not connected');
        const q = new Queue(QUEUES.sms, { connection, prefix, skipWaitingForReady: true });
        q.on('error', (err) => app.outages.report('redis', err));
        try {
          await q.waitUntilReady();
        } catch (err) {
          await q.close().catch(() => undefined);
          throw err;
        }
        queue = q;
        return q;
      })().finally(() => {
        opening = null;
      });
      return opening;
    };

    const capacity = Math.max(1, Math.floor((config.SMS_RATE_PER_SECOND * config.AUTH_CODE_TTL_SECONDS) / 2));
    let seen = 0;
    let queuedSince = 0;
    const gauge = new Gauge({ name: 'sms_queue_backlog', help: 'Codes waiting to be sent (last poll)', registers: [app.metrics] });

    // Messages, not jobs: producers add to a counter what they queue, the worker takes off
    // what leaves the queue (sent, dropped, or failed for good). Bounded by the job counts
    // (each job holds 1..SMS_BATCH_MAX) and reset when the queue is empty, so a lost update
    // cannot drift for long. Active jobs count in full: a worker holds up to 100 of them,
    // waiting for their turn at the rate.
    const refresh = async () => {
      const before = queuedSince;
      const [counts, counted] = await Promise.all([
        (await getQueue()).getJobCounts('wait', 'prioritized', 'delayed', 'active'),
        readQueuedSms(connection, config.REDIS_PREFIX),
      ]);
      const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
      if (jobs === 0 && counted !== 0) await resetQueuedSms(connection, config.REDIS_PREFIX);
      seen = Math.min(jobs * SMS_BATCH_MAX, Math.max(jobs, counted));
      queuedSince -= before;
      gauge.set(seen);
    };
    let polling = false;
    const timer = setInterval(() => {
      if (polling) return;
      polling = true;
      refresh()
        .catch((err: unknown) => app.outages.reportOrLog(err, app.log, 'sms backlog poll failed'))
        .finally(() => {
          polling = false;
        });
    }, POLL_MS);
    timer.unref();

    interface Pending {
      challengeId: string;
      job: SmsJob;
      resolve: () => void;
      reject: (err: unknown) => void;
    }
    let pending: Pending[] = [];
    const flush = () => {
      const all = pending;
      pending = [];
      for (let i = 0; i < all.length; i += SMS_BATCH_MAX) {
        const batch = all.slice(i, i + SMS_BATCH_MAX);
        getQueue()
          .then((q) =>
            q.add(
              'codes',
              { messages: batch.map((p) => p.job) },
              {
                jobId: jobId('sms', batch[0]!.challengeId),
                attempts: SMS_JOB_ATTEMPTS,
                backoff: { type: 'exponential', delay: SMS_JOB_BACKOFF_MS },
                // Phone numbers and codes must not linger in Redis after the job is done.
                removeOnComplete: true,
                removeOnFail: true,
              },
            ),
          )
          .then(
            () => {
              queuedSince += batch.length;
              for (const p of batch) p.resolve();
              countQueuedSms(connection, config.REDIS_PREFIX, batch.length).catch(() => undefined);
            },
            (err: unknown) => {
              for (const p of batch) p.reject(err);
            },
          );
      }
    };

    const sms: SmsQueue = {
      enqueue(challengeId, job) {
        return new Promise<void>((resolve, reject) => {
          if (pending.length === 0) setImmediate(flush);
          pending.push({ challengeId, job, resolve, reject });
        });
      },
      backlog: () => seen + queuedSince,
      retryAfterSeconds() {
        const over = seen + queuedSince - capacity;
        if (over < 0) return 0;
        return Math.min(600, Math.ceil(over / config.SMS_RATE_PER_SECOND) + 1);
      },
      refresh,
    };
    app.decorate('smsQueue', sms);
    app.readiness.set('sms-queue', async () => {
      await connection.ping();
    });
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await queue?.close();
      connection.disconnect();
    });
  },
  { name: 'sms-queue', dependencies: ['observability'] },
);
