import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { defineScript, runScript } from './script';

/**
 * The SMS counters and the local outbox. Counters: messages waiting in the `sms` queue
 * (the vote service adds what it queues and sheds load by it, the worker takes off what
 * leaves the queue) and the fixed one-second window of sends shared by every worker. The
 * outbox: what the `outbox` provider "sent", read by the dev endpoint and `sms tail`.
 */

/** `<prefix>:sms:queued`: messages waiting in the `sms` queue. */
function smsQueuedKey(prefix: string): string {
  return `${prefix}:sms:queued`;
}

// `<prefix>:sms:rate`: messages handed to the provider in the current one-second window.
function smsRateKey(prefix: string): string {
  return `${prefix}:sms:rate`;
}

/** The vote service: `n` messages were queued. */
export async function countQueuedSms(redis: Redis, prefix: string, n: number): Promise<void> {
  await redis.incrby(smsQueuedKey(prefix), n);
}

/** The worker: `n` messages left the queue (sent, dropped or failed for good). */
export async function uncountQueuedSms(redis: Redis, prefix: string, n: number): Promise<void> {
  await redis.decrby(smsQueuedKey(prefix), n);
}

/** The counter as stored (0 when absent or garbled). */
export async function readQueuedSms(redis: Redis, prefix: string): Promise<number> {
  return Number(await redis.get(smsQueuedKey(prefix))) || 0;
}

/** Puts the counter back to 0 (the queue was seen empty: a lost update cannot drift for long). */
export async function resetQueuedSms(redis: Redis, prefix: string): Promise<void> {
  await redis.set(smsQueuedKey(prefix), 0);
}

// KEYS: window counter. ARGV: wanted, budget per window, window ms. → {taken, 0} or {0, ms until the window ends}.
const TAKE = defineScript(
  'sms-take-budget',
  1,
  `
local used = tonumber(redis.call('get', KEYS[1]) or '0')
local room = tonumber(ARGV[2]) - used
if room <= 0 then
  local t = redis.call('pttl', KEYS[1])
  if t < 1 then t = 1 end
  return {0, t}
end
local take = math.min(room, tonumber(ARGV[1]))
if redis.call('incrby', KEYS[1], take) == take then redis.call('pexpire', KEYS[1], ARGV[3]) end
return {take, 0}`,
);

/** Takes up to `want` sends from this second's budget of `perSecond`: how many it got, or how long until the next window. */
export async function takeSmsBudget(redis: Redis, prefix: string, want: number, perSecond: number): Promise<{ taken: number; waitMs: number }> {
  const [taken, waitMs] = (await runScript(redis, TAKE, [smsRateKey(prefix)], [want, perSecond, 1000])) as [number, number];
  return { taken: Number(taken), waitMs: Number(waitMs) };
}

/** A message as the outbox keeps it (and as GET /api/v1/dev/sms returns it). */
interface OutboxMessage {
  to: string;
  text: string;
  /** ISO time the provider took the message. */
  sentAt: string;
}

/** Entries kept in the outbox stream (approximate MAXLEN trim), and per phone in its index. */
const OUTBOX_MAXLEN = 10_000;
const OUTBOX_PER_PHONE = 20;
const OUTBOX_PER_PHONE_TTL_SECONDS = 3600;

/** The outbox stream key: `<prefix>:sms:outbox`. */
export function outboxKey(prefix: string): string {
  return `${prefix}:sms:outbox`;
}

// The per-phone index holds no phone number in its name.
function outboxPhoneKey(prefix: string, phone: string): string {
  return `${prefix}:sms:outbox:to:${createHash('sha256').update(phone).digest('hex').slice(0, 32)}`;
}

/** Appends a sent message to the capped stream and to the phone's short list, atomically. */
export async function appendOutbox(redis: Redis, prefix: string, message: OutboxMessage): Promise<void> {
  const { to, text, sentAt } = message;
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
