import type { Kysely } from 'kysely';
import { type AuditEventRecord, type Database, appendAuditEventOnce } from '@primaries/db';
import { windowState } from '@primaries/domain';
import { SYSTEM_WORKER } from '../release/release';

/**
 * The voting window's opening and closing as the server's clock sees them (issue #12):
 * nobody presses a button, so the worker writes them to the audit trail when a tally first
 * finds the window open, then closed — once each however many workers see it
 * (appendAuditEventOnce). A window found already closed records both, in order. The time
 * of the event is when it was seen (at most one refresh interval late); the reason names
 * the planned time.
 */
export async function recordWindowEvents(db: Kysely<Database>, electionId: number, now: Date = new Date()): Promise<AuditEventRecord[]> {
  const e = await db.selectFrom('elections').select(['id', 'opens_at', 'closes_at', 'opened_at', 'closed_at']).where('id', '=', electionId).executeTakeFirst();
  if (!e) return [];
  const window = { opensAt: new Date(e.opens_at), closesAt: new Date(e.closes_at), openedAt: e.opened_at && new Date(e.opened_at), closedAt: e.closed_at && new Date(e.closed_at) };
  const state = windowState(window, now);
  if (state === 'scheduled') return [];
  const opened = window.openedAt ?? window.opensAt;
  const closed = window.closedAt && window.closedAt < window.closesAt ? window.closedAt : window.closesAt;
  const wanted = [{ action: 'election.opened', reason: `voting window open by server time (from ${opened.toISOString()})` }];
  if (state === 'closed') wanted.push({ action: 'election.closed', reason: `voting window closed by server time (at ${closed.toISOString()})` });
  const written: AuditEventRecord[] = [];
  for (const w of wanted) {
    const event = await db.transaction().execute((trx) => appendAuditEventOnce(trx, { actor: SYSTEM_WORKER, action: w.action, subject: `election:${e.id}`, reason: w.reason, electionId: e.id }));
    if (event) written.push(event);
  }
  return written;
}
