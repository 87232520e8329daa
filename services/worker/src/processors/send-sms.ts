import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Counter } from 'prom-client';
import { QUEUES, SmsRejectedError, createSmsProvider, smsJobSchema } from '@primaries/queue';
import type { Running, WorkerContext } from '../context';

/**
 * Delivers one-time codes from the `sms` queue through the configured provider. The
 * Worker's limiter is SMS_RATE_PER_SECOND, the provider's capacity: a login storm waits
 * in the queue (and the vote site answers 503 + Retry-After once the wait would outlive
 * the code) instead of hammering the provider. Failed sends are retried with backoff by
 * the job's attempts; a refusal that retrying cannot fix ends the job at once.
 */
export async function startSendSms(ctx: WorkerContext): Promise<Running | null> {
  const provider = createSmsProvider(ctx.config, ctx.redis, ctx.config.REDIS_PREFIX);
  const sent = new Counter({
    name: 'sms_messages_total',
    help: 'One-time code messages by outcome (sent, expired, retry, rejected)',
    labelNames: ['provider', 'outcome'],
    registers: [ctx.metrics],
  });

  const worker = new Worker(
    QUEUES.sms,
    async (job: Job) => {
      const parsed = smsJobSchema.safeParse(job.data);
      if (!parsed.success) {
        sent.inc({ provider: provider.name, outcome: 'rejected' });
        throw new UnrecoverableError('malformed sms job');
      }
      // A code that waited in line past its lifetime is useless: don't spend an SMS on it.
      if (parsed.data.expiresAt <= Date.now()) {
        sent.inc({ provider: provider.name, outcome: 'expired' });
        return 'expired';
      }
      try {
        await provider.send(parsed.data);
      } catch (err) {
        if (err instanceof SmsRejectedError) {
          sent.inc({ provider: provider.name, outcome: 'rejected' });
          throw new UnrecoverableError(err.message);
        }
        sent.inc({ provider: provider.name, outcome: 'retry' });
        throw err;
      }
      sent.inc({ provider: provider.name, outcome: 'sent' });
      return 'sent';
    },
    {
      connection: ctx.connection(),
      prefix: ctx.bullPrefix,
      limiter: { max: ctx.config.SMS_RATE_PER_SECOND, duration: 1000 },
      // Enough sends in flight to reach the rate with a gateway answering in ~100 ms.
      concurrency: Math.min(100, ctx.config.SMS_RATE_PER_SECOND),
    },
  );
  // Messages only: an error here may carry nothing personal, but the job data would.
  worker.on('failed', (job, err) => ctx.log.warn({ queue: QUEUES.sms, jobId: job?.id, attempt: job?.attemptsMade, err: { message: err.message } }, 'sms send failed'));
  worker.on('error', (err) => ctx.log.error({ queue: QUEUES.sms, err: { message: err.message } }, 'sms worker error'));

  return {
    name: 'send-sms',
    close: () => worker.close(),
  };
}
