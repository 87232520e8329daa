import type { Kysely, Transaction } from 'kysely';
import {
  type Database,
  type LifecycleElectionRow,
  appendAuditEvent,
  confirmCloseRequest,
  insertCloseRequest,
  lockCloseRequest,
  lockLifecycleElection,
  pendingCloseRequest,
  preOpenData,
  sealedBallotsOfElection,
  updateLifecycle,
} from '@primaries/db';
import { type ElectionPhase, type PreOpenInput, electionPhase, electionTimes, preOpenProblems } from '@primaries/domain';
import { AdminErrors } from '../errors';

/** How long an early-close request waits for a second organizer. */
const CLOSE_REQUEST_TTL_SECONDS = 15 * 60;

/** Who does a step: the signed-in organizer. */
export interface Actor {
  id: number;
  role: string;
}

const auditActor = (a: Actor) => ({ role: a.role, id: String(a.id) });
const subject = (electionId: number) => `election:${electionId}`;

/** Runs a step on the election's locked row; its phase by the database's clock at the start. */
async function onElection<T>(db: Kysely<Database>, electionId: number, step: (trx: Transaction<Database>, e: LifecycleElectionRow, phase: ElectionPhase, now: Date) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const e = await lockLifecycleElection(trx, electionId);
    if (!e) throw new AdminErrors.ELECTION_NOT_FOUND();
    const now = new Date();
    return step(trx, e, electionPhase(electionTimes(e), now), now);
  });
}

/** draft → scheduled: the pre-open check must find nothing. */
export function scheduleElection(db: Kysely<Database>, electionId: number, actor: Actor, reason: string, deployment: PreOpenInput['deployment']) {
  return onElection(db, electionId, async (trx, e, phase, now) => {
    if (phase !== 'draft') throw new AdminErrors.NOT_DRAFT(phase);
    const problems = preOpenProblems({ ...(await preOpenData(trx, electionId)), deployment, now });
    if (problems.length) throw Object.assign(new AdminErrors.PRE_OPEN_FAILED(problems.length), { details: problems });
    const row = await updateLifecycle(trx, electionId, { scheduled_at: now });
    await appendAuditEvent(trx, { actor: auditActor(actor), action: 'election.scheduled', subject: subject(e.id), reason: `${reason} (opens ${e.opens_at.toISOString()}, closes ${e.closes_at.toISOString()})`, electionId });
    return row;
  });
}

/** While open: moves the close later. */
export function extendElection(db: Kysely<Database>, electionId: number, actor: Actor, closesAt: Date, reason: string) {
  return onElection(db, electionId, async (trx, e, phase) => {
    if (phase !== 'open') throw new AdminErrors.NOT_OPEN(phase);
    if (closesAt.getTime() <= e.closes_at.getTime()) throw new AdminErrors.CLOSE_NOT_LATER(e.closes_at.toISOString());
    const row = await updateLifecycle(trx, electionId, { closes_at: closesAt });
    await appendAuditEvent(trx, { actor: auditActor(actor), action: 'election.extended', subject: subject(e.id), reason: `${reason} (closes ${e.closes_at.toISOString()} → ${closesAt.toISOString()})`, electionId });
    return row;
  });
}

/** While open: the first organizer asks for an early close; it waits for a second. */
export function requestEarlyClose(db: Kysely<Database>, electionId: number, actor: Actor, reason: string) {
  return onElection(db, electionId, async (trx, e, phase, now) => {
    if (phase !== 'open') throw new AdminErrors.NOT_OPEN(phase);
    if (await pendingCloseRequest(trx, electionId, now)) throw new AdminErrors.CLOSE_ALREADY_REQUESTED();
    const request = await insertCloseRequest(trx, { electionId, requestedBy: actor.id, reason, expiresAt: new Date(now.getTime() + CLOSE_REQUEST_TTL_SECONDS * 1000) });
    await appendAuditEvent(trx, { actor: auditActor(actor), action: 'election.close_requested', subject: subject(e.id), reason: `request ${request.id}: ${reason}`, electionId });
    return request;
  });
}

/** A second organizer confirms: the window closes now. */
export function confirmEarlyClose(db: Kysely<Database>, electionId: number, requestId: number, actor: Actor, reason: string) {
  return onElection(db, electionId, async (trx, e, phase, now) => {
    const request = await lockCloseRequest(trx, electionId, requestId);
    if (!request) throw new AdminErrors.CLOSE_REQUEST_NOT_FOUND();
    if (request.confirmed_at) throw new AdminErrors.CLOSE_REQUEST_DONE();
    if (request.requested_by === actor.id) throw new AdminErrors.SECOND_ORGANIZER_REQUIRED();
    if (request.expires_at.getTime() <= now.getTime()) throw new AdminErrors.CLOSE_REQUEST_EXPIRED();
    if (phase !== 'open') throw new AdminErrors.NOT_OPEN(phase);
    await confirmCloseRequest(trx, requestId, actor.id, now);
    const row = await updateLifecycle(trx, electionId, { closed_at: now });
    await appendAuditEvent(trx, {
      actor: auditActor(actor),
      action: 'election.closed_early',
      subject: subject(e.id),
      reason: `request ${request.id} by staff:${request.requested_by} confirmed (${request.reason}): ${reason}`,
      electionId,
    });
    return row;
  });
}

/**
 * After the close: results_published_at is set, so the next tally (queued by the caller)
 * says `final: true` and makes the protocols. Refused while any ballot is still uncounted.
 */
export function publishResults(db: Kysely<Database>, electionId: number, actor: Actor, reason: string, queuedVotes: number) {
  return onElection(db, electionId, async (trx, e, phase, now) => {
    if (phase === 'published') throw new AdminErrors.ALREADY_PUBLISHED();
    if (phase !== 'closed') throw new AdminErrors.NOT_CLOSED(phase);
    const pending = queuedVotes + (await sealedBallotsOfElection(trx, electionId));
    if (pending > 0) throw new AdminErrors.BALLOTS_PENDING(pending);
    const row = await updateLifecycle(trx, electionId, { results_published_at: now });
    await appendAuditEvent(trx, { actor: auditActor(actor), action: 'election.published', subject: subject(e.id), reason, electionId });
    return row;
  });
}
