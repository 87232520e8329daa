import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import { QUEUES, SMS_JOB_ATTEMPTS, SMS_JOB_BACKOFF_MS, type SmsJob, bullPrefix, jobId, producerConnection } from '@primaries/queue';

/**
 * The producer side of the `sms` queue (the worker's send-sms processor delivers). It
 * also watches the backlog: when more codes wait than the provider can send while a
 * code is still half alive (SMS_RATE_PER_SECOND × AUTH_CODE_TTL_SECONDS / 2), new
 * requests get 503 + Retry-After — a login storm waits its turn instead of receiving
 * codes that expire in the queue.
 */
export interface SmsQueue {
  /** Queues one message; job id from the challenge, removed from Redis once sent or failed. */
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
    const connection = producerConnection(config.REDIS_URL);
    connection.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'sms queue redis error'));
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
        if (connection.status !== 'ready') throw new Error('sms queue: redis not connected');
        const q = new Queue(QUEUES.sms, { connection, prefix, skipWaitingForReady: true });
        q.on('error', (err) => app.log.warn({ err: { message: err.message } }, 'sms queue error'));
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

    const refresh = async () => {
      const before = queuedSince;
      const counts = await (await getQueue()).getJobCounts('wait', 'prioritized', 'delayed');
      seen = Object.values(counts).reduce((a, b) => a + b, 0);
      queuedSince -= before;
      gauge.set(seen);
    };
    let polling = false;
    const timer = setInterval(() => {
      if (polling) return;
      polling = true;
      refresh()
        .catch((err: Error) => app.log.warn({ err: { message: err.message } }, 'sms backlog poll failed'))
        .finally(() => {
          polling = false;
        });
    }, POLL_MS);
    timer.unref();

    const sms: SmsQueue = {
      async enqueue(challengeId, job) {
        await (await getQueue()).add('code', job, {
          jobId: jobId('sms', challengeId),
          attempts: SMS_JOB_ATTEMPTS,
          backoff: { type: 'exponential', delay: SMS_JOB_BACKOFF_MS },
          // Phone number and code must not linger in Redis after the job is done.
          removeOnComplete: true,
          removeOnFail: true,
        });
        queuedSince++;
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
