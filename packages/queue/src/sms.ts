import type { Redis } from 'ioredis';
import { z } from 'zod';
import { formatTime, translator } from '@primaries/i18n';
import { appendOutbox } from '@primaries/redis-protocols';

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

/** The one-time code message, in Russian and Kazakh (the words: `sms.code` in @primaries/i18n). */
export function smsCodeText(code: string): string {
  return `${translator('ru')('sms.code', { code })} / ${translator('kk')('sms.code', { code })}`;
}

/**
 * After every sign-in: "signed in at HH:MM; if this wasn't you, call …", in Kazakh and
 * Russian, so that a member whose code was taken learns of it (the 2020 abuse). The time is
 * the election's clock (Kazakhstan).
 */
export function smsSignInNoticeText(at: Date, hotline: string): string {
  const values = { time: formatTime(at), hotline };
  return `${translator('kk')('sms.signInNotice', values)} / ${translator('ru')('sms.signInNotice', values)}`;
}

/** Retries for a message the provider did not take (BullMQ attempts, exponential backoff). */
export const SMS_JOB_ATTEMPTS = 5;
export const SMS_JOB_BACKOFF_MS = 1000;

/** Delivers one message. Throws SmsRejectedError when retrying cannot help, any other error when it can. */
export interface SmsProvider {
  readonly name: 'outbox' | 'http' | 'rehearsal';
  send(message: { to: string; text: string }): Promise<void>;
}

/** The provider refused the message for good (e.g. 400 for a bad number): do not retry. */
export class SmsRejectedError extends Error {
  override name = 'SmsRejectedError';
}

/**
 * The local provider for development, demos and load tests: appends to the outbox
 * (@primaries/redis-protocols' sms module), followed by `primaries sms tail` and read by the
 * dev endpoint. Refused in production by the config schemas.
 */
export function outboxProvider(redis: Redis, prefix: string): SmsProvider {
  return {
    name: 'outbox',
    send: ({ to, text }) => appendOutbox(redis, prefix, { to, text, sentAt: new Date().toISOString() }),
  };
}

/**
 * The numbers of a load-test rehearsal's synthetic members (`pnpm loadtest` creates them,
 * docs/loadtest.md): `+77009` and six digits. The rehearsal provider delivers to no other.
 */
export const REHEARSAL_PHONE_PREFIX = '+77009';

/** Whether an E.164 number is in the rehearsal range. */
export function isRehearsalPhone(phone: string): boolean {
  return phone.startsWith(REHEARSAL_PHONE_PREFIX) && /^\+7\d{10}$/.test(phone);
}

/**
 * The rehearsal provider: writes messages for synthetic members' numbers to the outbox
 * (read by `pnpm loadtest` through the vote site's token-guarded rehearsal route) and
 * refuses every other number for good, so a real member's code is never readable there.
 * Refused in production by the config schemas.
 */
export function rehearsalProvider(redis: Redis, prefix: string): SmsProvider {
  return {
    name: 'rehearsal',
    async send({ to, text }) {
      if (!isRehearsalPhone(to)) throw new SmsRejectedError('the rehearsal provider sends only to rehearsal numbers');
      await appendOutbox(redis, prefix, { to, text, sentAt: new Date().toISOString() });
    },
  };
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
  config: { SMS_PROVIDER: 'outbox' | 'http' | 'rehearsal'; SMS_HTTP_URL?: string | undefined; SMS_HTTP_TOKEN?: string | undefined; SMS_HTTP_TIMEOUT_MS: number },
  redis: Redis,
  prefix: string,
): SmsProvider {
  if (config.SMS_PROVIDER === 'http') {
    if (!config.SMS_HTTP_URL) throw new Error('SMS_HTTP_URL is required when SMS_PROVIDER=http');
    return httpProvider({ url: config.SMS_HTTP_URL, token: config.SMS_HTTP_TOKEN, timeoutMs: config.SMS_HTTP_TIMEOUT_MS });
  }
  if (config.SMS_PROVIDER === 'rehearsal') return rehearsalProvider(redis, prefix);
  return outboxProvider(redis, prefix);
}
