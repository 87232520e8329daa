import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import { type AuditEventRecord, type AuditHead, EMPTY_HEAD, auditEventHash } from '../audit/chain';

type Db = Kysely<Database> | Transaction<Database>;

/** What an audited change says about itself (no IIN, phone or choice: they never enter the trail). */
export interface AuditEntry {
  /** Who did it: a staff role and id, or `system` for lifecycle events and `cli` for operators' commands. */
  actor: { role: string; id: string };
  /** What happened, dotted: `staff.created`, `staff.enrolled`, `staff.disabled`, … */
  action: string;
  /** What it happened to, `type:id` (`staff:12`), if anything. */
  subject?: string | null;
  reason?: string | null;
  electionId?: number | null;
}

// Any constant will do: every writer of the trail takes this lock, so events are chained one at a time.
const AUDIT_LOCK = 0x61756469; // 'audi'

/**
 * Appends an event to the audit trail, chained to the one before it. Takes a transaction:
 * the event commits or rolls back with the change it records. Appends are serialised by a
 * transaction-scoped advisory lock held until that transaction ends.
 */
export async function appendAuditEvent(trx: Transaction<Database>, entry: AuditEntry): Promise<AuditEventRecord> {
  if (!trx.isTransaction) throw new Error('appendAuditEvent needs the transaction of the change it records');
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
  const head = await auditHead(trx);
  const body = {
    seq: head.seq + 1,
    at: new Date().toISOString(),
    actor: { role: entry.actor.role, id: entry.actor.id },
    action: entry.action,
    subject: entry.subject ?? null,
    reason: entry.reason ?? null,
    prevHash: head.hash,
  };
  const event = { ...body, hash: auditEventHash(body) };
  await trx
    .insertInto('audit_events')
    .values({
      election_id: entry.electionId ?? null,
      at: event.at,
      actor: `${event.actor.role}:${event.actor.id}`,
      action: event.action,
      seq: String(event.seq),
      actor_role: event.actor.role,
      actor_id: event.actor.id,
      subject: event.subject,
      reason: event.reason,
      prev_hash: event.prevHash,
      hash: event.hash,
    })
    .execute();
  return event;
}

/**
 * Appends an event unless one with the same action and subject is already in the trail
 * (a lifecycle event that happens once — the window opening — however many processes see
 * it). Checked without the lock first (the usual answer: already there), then again under
 * the trail's lock, which serialises writers. Returns the new event, or null when there was one.
 */
export async function appendAuditEventOnce(trx: Transaction<Database>, entry: AuditEntry & { subject: string }): Promise<AuditEventRecord | null> {
  const exists = () => trx.selectFrom('audit_events').select('id').where('action', '=', entry.action).where('subject', '=', entry.subject).limit(1).executeTakeFirst();
  if (await exists()) return null;
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
  if (await exists()) return null;
  return appendAuditEvent(trx, entry);
}

/** The last chained event's seq and hash (seq 0 and the genesis hash when there is none). */
export async function auditHead(db: Db): Promise<AuditHead> {
  const row = await db.selectFrom('audit_events').select(['seq', 'hash']).where('seq', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row?.seq && row.hash ? { seq: Number(row.seq), hash: row.hash } : EMPTY_HEAD;
}

/** Chained events after `afterSeq`, in order, at most `limit`. */
export async function listAuditEvents(db: Db, afterSeq = 0, limit = 1000): Promise<AuditEventRecord[]> {
  const rows = await db
    .selectFrom('audit_events')
    .select(['seq', 'at', 'actor_role', 'actor_id', 'action', 'subject', 'reason', 'prev_hash', 'hash'])
    .where('seq', '>', String(afterSeq))
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: { role: r.actor_role ?? '', id: r.actor_id ?? '' },
    action: r.action,
    subject: r.subject,
    reason: r.reason,
    prevHash: r.prev_hash ?? '',
    hash: r.hash ?? '',
  }));
}
