import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The `sms` queue and the providers that deliver its messages. The vote service enqueues
 * (one job per one-time code), the worker delivers at the provider's rate, and the dev
 * endpoint and `primaries sms tail` read the local outbox. They all share this file so the
 * payload, the message text and the outbox format cannot drift apart.
 */

/** One SMS to send. Holds a phone number and a code: jobs are removed once done or failed. */
export const smsJobSchema = z.object({
  /** E.164 Kazakh mobile number. */
  to: z.string().regex(/^\+7\d{10}$/),
  text: z.string().min(1).max(480),
  /** Epoch ms after which the code is dead: a job still queued then is dropped, not sent. */
  expiresAt: z.number().int().positive(),
});
export type SmsJob = z.infer<typeof smsJobSchema>;

/**
 * Messages per `codes` job at most. The vote service puts the codes issued in one
 * event-loop tick into one job (name `codes`); the worker still sends at
 * SMS_RATE_PER_SECOND messages, not jobs. A `code` job (one message) is still accepted.
 */
export const SMS_BATCH_MAX = 100;
export const smsBatchSchema = z.object({ messages: z.array(smsJobSchema).min(1).max(SMS_BATCH_MAX) });
export type SmsBatch = z.infer<typeof smsBatchSchema>;

/** The counter of messages waiting in the `sms` queue (producers add, the worker takes off). */
export function smsQueuedKey(prefix: string): string {
  return `${prefix}:sms:queued`;
}

/** The key of the fixed one-second window counting messages handed to the provider. */
export function smsRateKey(prefix: string): string {
  return `${prefix}:sms:rate`;
}

/** The one-time code message, in Russian and Kazakh. */
export function smsCodeText(code: string): string {
  return `Праймериз: код ${code}. Никому его не сообщайте. / Праймериз коды: ${code}. Ешкімге айтпаңыз.`;
}

/** Retries for a message the provider did not take (BullMQ attempts, exponential backoff). */
export const SMS_JOB_ATTEMPTS = 5;
export const SMS_JOB_BACKOFF_MS = 1000;

/** A message as the outbox keeps it (and as GET /api/v1/dev/sms returns it). */
export interface OutboxMessage {
  to: string;
  text: string;
  /** ISO time the provider took the message. */
  sentAt: string;
}

/** Delivers one message. Throws SmsRejectedError when retrying cannot help, any other error when it can. */
export interface SmsProvider {
  readonly name: 'outbox' | 'http';
  send(message: { to: string; text: string }): Promise<void>;
}

/** The provider refused the message for good (e.g. 400 for a bad number): do not retry. */
export class SmsRejectedError extends Error {
  override name = 'SmsRejectedError';
}

/** Entries kept in the outbox stream (approximate MAXLEN trim), and per phone in its index. */
export const OUTBOX_MAXLEN = 10_000;
const OUTBOX_PER_PHONE = 20;
const OUTBOX_PER_PHONE_TTL_SECONDS = 3600;

/** The outbox stream key: `<REDIS_PREFIX>:sms:outbox`. */
export function outboxKey(prefix: string): string {
  return `${prefix}:sms:outbox`;
}

// The per-phone index holds no phone number in its name.
function outboxPhoneKey(prefix: string, phone: string): string {
  return `${prefix}:sms:outbox:to:${createHash('sha256').update(phone).digest('hex').slice(0, 32)}`;
}

/**
 * The local provider for development, demos and load tests: appends to a capped Redis
 * stream (followed by `primaries sms tail`) and a short per-phone list (read by the dev
 * endpoint in O(1)). Refused in production by the config schemas.
 */
export function outboxProvider(redis: Redis, prefix: string): SmsProvider {
  return {
    name: 'outbox',
    async send({ to, text }) {
      const sentAt = new Date().toISOString();
      const phoneKey = outboxPhoneKey(prefix, to);
      const results = await redis
        .multi()
        .xadd(outboxKey(prefix), 'MAXLEN', '~', OUTBOX_MAXLEN, '*', 'to', to, 'text', text, 'sentAt', sentAt)
        .lpush(phoneKey, JSON.stringify({ to, text, sentAt } satisfies OutboxMessage))
        .ltrim(phoneKey, 0, OUTBOX_PER_PHONE - 1)
        .expire(phoneKey, OUTBOX_PER_PHONE_TTL_SECONDS)
        .exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('outbox write aborted');
    },
  };
}

/** The outbox messages sent to one number, newest first. */
export async function readOutbox(redis: Redis, prefix: string, phone: string, limit = OUTBOX_PER_PHONE): Promise<OutboxMessage[]> {
  const raw = await redis.lrange(outboxPhoneKey(prefix, phone), 0, limit - 1);
  return raw.map((r) => JSON.parse(r) as OutboxMessage);
}

/** Turns a stream entry's flat field list into a message. */
export function outboxEntry(fields: string[]): OutboxMessage {
  const m: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) m[fields[i]!] = fields[i + 1]!;
  return { to: m['to'] ?? '', text: m['text'] ?? '', sentAt: m['sentAt'] ?? '' };
}

export interface HttpProviderOptions {
  url: string;
  token?: string | undefined;
  timeoutMs: number;
}

/**
 * A gateway that takes `POST <url>` with JSON `{to, text}` and a bearer token. 2xx is
 * delivered; 408, 429 and 5xx, timeouts and network errors are retried by the queue;
 * any other status is a permanent refusal.
 */
export function httpProvider(opts: HttpProviderOptions): SmsProvider {
  return {
    name: 'http',
    async send({ to, text }) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
      const res = await fetch(opts.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ to, text }),
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      // Drain the body so the connection can be reused; its content is not needed.
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return;
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      const message = `SMS gateway answered ${res.status}`;
      throw retryable ? new Error(message) : new SmsRejectedError(message);
    },
  };
}

/** The provider a service's SMS_* settings choose. */
export function createSmsProvider(
  config: { SMS_PROVIDER: 'outbox' | 'http'; SMS_HTTP_URL?: string | undefined; SMS_HTTP_TOKEN?: string | undefined; SMS_HTTP_TIMEOUT_MS: number },
  redis: Redis,
  prefix: string,
): SmsProvider {
  if (config.SMS_PROVIDER === 'http') {
    if (!config.SMS_HTTP_URL) throw new Error('SMS_HTTP_URL is required when SMS_PROVIDER=http');
    return httpProvider({ url: config.SMS_HTTP_URL, token: config.SMS_HTTP_TOKEN, timeoutMs: config.SMS_HTTP_TIMEOUT_MS });
  }
  return outboxProvider(redis, prefix);
}
