import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import { QUEUES, type SmsJob, SmsRejectedError, createSmsProvider, smsBatchSchema, smsJobSchema } from '@primaries/queue';
import { takeSmsBudget, uncountQueuedSms } from '@primaries/redis-protocols';
import { type Running, type WorkerContext, onQueueError } from '../context';

/**
 * Delivers one-time codes from the `sms` queue through the configured provider, at most
 * SMS_RATE_PER_SECOND messages per second across all workers (a fixed one-second window
 * in Redis, counted in messages: a `codes` job carries up to SMS_BATCH_MAX of them). A
 * login storm waits in the queue (and the vote site answers 503 + Retry-After once the
 * wait would outlive the code) instead of hammering the provider. A message whose code
 * expired while it waited is dropped. Failed sends are retried with backoff by the job's
 * attempts — for a `codes` job only the messages not yet delivered: the job's data is
 * cut down to them before it is retried. A refusal that retrying cannot fix drops that
 * message at once.
 */
export async function startSendSms(ctx: WorkerContext): Promise<Running | null> {
  const provider = createSmsProvider(ctx.config, ctx.redis, ctx.config.REDIS_PREFIX);
  const rate = ctx.config.SMS_RATE_PER_SECOND;
  const prefix = ctx.config.REDIS_PREFIX;
  const sent = new Counter({
    name: 'sms_messages_total',
    help: 'One-time code messages by outcome (sent, expired, retry, rejected)',
    labelNames: ['provider', 'outcome'],
    registers: [ctx.metrics],
  });
  // The backlog the vote service sheds load by: messages that left the queue come off.
  /** The SMS backlog counter goes down by n; a failure only leaves the gauge high until the next count. */
  const left = (n: number): void => {
    if (n > 0) uncountQueuedSms(ctx.redis, prefix, n).catch(() => undefined);
  };
  const count = (outcome: 'sent' | 'expired' | 'retry' | 'rejected', n = 1) => n > 0 && sent.inc({ provider: provider.name, outcome }, n);

  let closing = false;
  /** Waits for up to `want` sends of the per-second budget; returns how many it got (0 once closing). */
  const take = async (want: number): Promise<number> => {
    while (!closing) {
      const { taken, waitMs } = await takeSmsBudget(ctx.redis, prefix, want, rate);
      if (taken > 0) return taken;
      await sleep(Math.min(waitMs, 250));
    }
    return 0;
  };

  /** Sends the messages; returns those to retry. Rejected and expired ones are dropped. */
  const deliver = async (messages: SmsJob[]): Promise<SmsJob[]> => {
    const retry: SmsJob[] = [];
    let rest = messages;
    while (rest.length > 0) {
      const live = rest.filter((m) => m.expiresAt > Date.now());
      count('expired', rest.length - live.length);
      if (live.length === 0) break;
      const n = await take(live.length);
      if (n === 0) {
        // Shutting down: what has not had its turn goes back to the queue, not lost or doubled.
        retry.push(...live);
        break;
      }
      const now = live.slice(0, n);
      rest = live.slice(n);
      const results = await Promise.allSettled(now.map((m) => provider.send(m)));
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') count('sent');
        else if (r.reason instanceof SmsRejectedError) count('rejected');
        else {
          count('retry');
          retry.push(now[i]!);
        }
      });
    }
    return retry;
  };

  const worker = new Worker(
    QUEUES.sms,
    async (job: Job) => {
      const batch = job.name === 'codes' ? smsBatchSchema.safeParse(job.data) : null;
      const single = batch ? null : smsJobSchema.safeParse(job.data);
      const messages = batch?.success ? batch.data.messages : single?.success ? [single.data] : null;
      if (!messages) {
        count('rejected');
        throw new UnrecoverableError('malformed sms job');
      }
      const retry = await deliver(messages);
      left(messages.length - retry.length);
      if (retry.length === 0) return 'done';
      // Only what was not delivered goes round again.
      if (retry.length < messages.length) await job.updateData(batch ? { messages: retry } : retry[0]);
      throw new Error(`${retry.length} of ${messages.length} messages not taken by the SMS gateway`);
    },
    {
      connection: ctx.connection(),
      prefix: ctx.bullPrefix,
      // Enough sends in flight to reach the rate with a gateway answering in ~100 ms.
      concurrency: Math.min(100, rate),
    },
  );
  // Messages only: an error here may carry nothing personal, but the job data would.
  worker.on('failed', (job) => {
    // Out of attempts: what was left in it leaves the queue too.
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      const data = job.data as { messages?: unknown[] } | undefined;
      left(Array.isArray(data?.messages) ? data.messages.length : 1);
    }
  });
  worker.on('failed', (job, err) => ctx.log.warn({ queue: QUEUES.sms, jobId: job?.id, attempt: job?.attemptsMade, err: { message: err.message } }, 'sms send failed'));
  worker.on('error', onQueueError(ctx, 'sms worker error'));

  return {
    name: 'send-sms',
    close: () => {
      closing = true;
      return worker.close();
    },
  };
}
