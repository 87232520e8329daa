import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type AuditEventRecord, type AuditHead, type ChainVerdict, type Database, EMPTY_HEAD, listAuditEvents, verifyAuditChain } from '@primaries/db';

/**
 * The public audit trail (issue #12): the chained events of `audit_events`, copied to Redis
 * for the results site (which has no database) and read back from there or from its API.
 * The writer is packages/db's audit repository; this module publishes and verifies.
 */

export const auditEventSchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  actor: z.object({ role: z.string(), id: z.string() }),
  action: z.string(),
  subject: z.string().nullable(),
  reason: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export const auditHeadSchema = z.object({ seq: z.number().int().min(0), hash: z.string() });
/** `GET /api/v1/audit?after=<seq>` on the results site. */
export const auditPageSchema = z.object({ events: z.array(auditEventSchema), head: auditHeadSchema });
export type AuditPage = z.infer<typeof auditPageSchema>;

/** Redis keys of the published trail, under REDIS_PREFIX. */
export function auditKeys(prefix: string) {
  return {
    /** Hash: seq → the event's JSON. Writing an event twice writes the same value. */
    events: `${prefix}:audit:events`,
    /** The published head's JSON ({seq, hash}). */
    head: `${prefix}:audit:head`,
  };
}

/** The head of the trail as published in Redis (the empty head when nothing is). */
export async function publishedAuditHead(redis: Redis, prefix: string): Promise<AuditHead> {
  const raw = await redis.get(auditKeys(prefix).head);
  return raw ? auditHeadSchema.parse(JSON.parse(raw)) : EMPTY_HEAD;
}

/**
 * Copies the events the database has beyond the published head into Redis, in pages, and
 * moves the head. Safe to run from several processes at once: events are keyed by seq, and
 * the head only moves forward (a Lua compare-and-set).
 */
export async function publishAuditTrail(db: Kysely<Database>, redis: Redis, prefix: string): Promise<AuditHead> {
  const keys = auditKeys(prefix);
  let head = await publishedAuditHead(redis, prefix);
  for (;;) {
    const events = await listAuditEvents(db, head.seq, 1000);
    if (events.length === 0) return head;
    const last = events[events.length - 1]!;
    const fields = events.flatMap((e) => [String(e.seq), JSON.stringify(e)]);
    await redis.hset(keys.events, ...fields);
    const next = { seq: last.seq, hash: last.hash };
    await redis.eval(MOVE_HEAD, 1, keys.head, JSON.stringify(next), String(next.seq));
    head = next;
  }
}

// Sets the head unless the stored one is already at or past this seq.
const MOVE_HEAD = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local seq = tonumber(string.match(cur, '"seq":(%d+)'))
  if seq and seq >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

/** A page of the published trail after `after`, at most `limit` events, with the published head. */
export async function readPublishedAudit(redis: Redis, prefix: string, after: number, limit: number): Promise<AuditPage> {
  const keys = auditKeys(prefix);
  const head = await publishedAuditHead(redis, prefix);
  const last = Math.min(head.seq, after + limit);
  if (last <= after) return { events: [], head };
  const seqs = Array.from({ length: last - after }, (_, i) => String(after + 1 + i));
  const raw = await redis.hmget(keys.events, ...seqs);
  const events = raw.flatMap((r) => (r ? [auditEventSchema.parse(JSON.parse(r))] : []));
  return { events, head };
}

/** Every event in the database, in order, in pages (for `audit verify`). */
export async function* databaseAuditEvents(db: Kysely<Database>): AsyncGenerator<AuditEventRecord> {
  let after = 0;
  for (;;) {
    const page = await listAuditEvents(db, after, 5000);
    if (page.length === 0) return;
    yield* page;
    after = page[page.length - 1]!.seq;
  }
}

/** Every event a results site publishes, in order, following `after` pages (for `audit verify --url`). */
export async function* publishedAuditEvents(baseUrl: string, fetchImpl: typeof fetch = fetch): AsyncGenerator<AuditEventRecord, AuditHead | null> {
  let after = 0;
  for (;;) {
    const url = new URL('api/v1/audit', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    url.searchParams.set('after', String(after));
    const res = await fetchImpl(url);
    if (!res.ok) throw new Error(`${url.href}: HTTP ${res.status}`);
    const page = auditPageSchema.parse(await res.json());
    const head = page.head;
    if (page.events.length === 0) return head;
    for (const e of page.events) {
      yield e;
      after = e.seq;
    }
    if (after >= head.seq) return head;
  }
}

/** Verifies an async stream of events as a chain from the genesis; the first break, if any. */
export async function verifyAuditStream(events: AsyncIterable<AuditEventRecord>): Promise<ChainVerdict> {
  // Chained page by page: each page starts from the head the previous one ended at.
  let start: AuditHead = EMPTY_HEAD;
  let count = 0;
  let buffer: AuditEventRecord[] = [];
  const flush = (): ChainVerdict => {
    const v = verifyAuditChain(buffer, start);
    if (!v.ok) return { ok: false, break: v.break, count: count + v.count };
    count += v.count;
    start = v.head;
    buffer = [];
    return { ok: true, head: start, count };
  };
  for await (const e of events) {
    buffer.push(e);
    if (buffer.length >= 5000) {
      const v = flush();
      if (!v.ok) return v;
    }
  }
  return flush();
}
