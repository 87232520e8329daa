import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The public audit trail's hash chain (issue #12), shared by the writer (packages/db's
 * audit repository), the results site that publishes it, and `audit verify`. Pure: no I/O.
 */

/** One event as published at `GET /api/v1/audit`: never an IIN, phone or choice. */
export interface AuditEventRecord {
  seq: number;
  /** ISO 8601, UTC, millisecond precision. */
  at: string;
  actor: { role: string; id: string };
  action: string;
  subject: string | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** The prevHash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** The head of a chain: the last event's seq and hash (seq 0 and GENESIS_HASH when empty). */
export interface AuditHead {
  seq: number;
  hash: string;
}
export const EMPTY_HEAD: AuditHead = { seq: 0, hash: GENESIS_HASH };

/** SHA-256 (hex) over the RFC 8785 (JCS) canonical JSON of every field but the hash itself. */
export function auditEventHash(e: Omit<AuditEventRecord, 'hash'>): string {
  const body = { seq: e.seq, at: e.at, actor: { role: e.actor.role, id: e.actor.id }, action: e.action, subject: e.subject, reason: e.reason, prevHash: e.prevHash };
  return createHash('sha256').update(canonicalize(body)!, 'utf8').digest('hex');
}

export type ChainBreak =
  /** The event's hash is not the hash of its contents (changed, or reordered: seq is hashed). */
  | { seq: number; problem: 'hash'; message: string }
  /** prevHash is not the previous event's hash (one before it deleted or replaced). */
  | { seq: number; problem: 'link'; message: string }
  /** seq does not follow the previous one (an event deleted or the order changed). */
  | { seq: number; problem: 'sequence'; message: string };

export type ChainVerdict = { ok: true; head: AuditHead; count: number } | { ok: false; break: ChainBreak; count: number };

/**
 * Recomputes a chain in order, from `start` (the genesis by default, or a head verified
 * before), and reports the first break. `events` must be in the order they are stored (by seq).
 */
export function verifyAuditChain(events: Iterable<AuditEventRecord>, start: AuditHead = EMPTY_HEAD): ChainVerdict {
  let prev = start;
  let count = 0;
  for (const e of events) {
    const expectedSeq = prev.seq + 1;
    if (e.seq !== expectedSeq) {
      return { ok: false, count, break: { seq: expectedSeq, problem: 'sequence', message: `event ${expectedSeq} is missing: found ${e.seq} after ${prev.seq}` } };
    }
    if (e.prevHash !== prev.hash) {
      return { ok: false, count, break: { seq: e.seq, problem: 'link', message: `event ${e.seq} does not follow event ${prev.seq}: its prevHash is not that event's hash` } };
    }
    if (auditEventHash(e) !== e.hash) {
      return { ok: false, count, break: { seq: e.seq, problem: 'hash', message: `event ${e.seq} was changed: its contents do not hash to its hash` } };
    }
    prev = { seq: e.seq, hash: e.hash };
    count++;
  }
  return { ok: true, head: prev, count };
}
