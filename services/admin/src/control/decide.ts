import type { Kysely, Transaction } from 'kysely';
import type { Redis } from 'ioredis';
import { type Database, appendAuditEvent, blockMember, closeComplaint, findMemberForControl, lockCandidate, lockComplaint, markCandidateRemoved, markCandidateRestored, recordDecision } from '@primaries/db';
import { type DecisionKind, upholds } from '@primaries/domain';
import { addBlock } from '@primaries/redis-protocols';
import { AdminErrors } from '../errors';

export interface DecisionInput {
  kind: DecisionKind;
  text: string;
  candidateId?: number | undefined;
  memberId?: string | undefined;
  reasonCode?: string | undefined;
}

export interface Actor {
  role: string;
  id: number;
}

/** What a committed decision changed, for the effects that follow it. */
export interface Decided {
  electionId: number;
  tracking: string;
  state: 'upheld' | 'dismissed';
  updatedAt: Date;
  ballotChanged: boolean;
  recordChanged: boolean;
}

const AUDIT_ACTIONS: Record<DecisionKind, string> = {
  remove_candidate: 'control.candidate_removed',
  block_member: 'control.member_blocked',
  refer: 'control.complaint_referred',
  dismiss: 'control.complaint_dismissed',
};

async function removeCandidate(trx: Transaction<Database>, electionId: number, candidateId: number | undefined, reasonCode: string): Promise<number> {
  const cand = candidateId !== undefined ? await lockCandidate(trx, candidateId) : undefined;
  if (!cand || cand.election_id !== electionId) throw new AdminErrors.CANDIDATE_NOT_FOUND();
  if (cand.status === 'removed') throw new AdminErrors.CANDIDATE_ALREADY_REMOVED();
  await markCandidateRemoved(trx, cand.id, reasonCode);
  return cand.id;
}

/**
 * A written decision on a complaint, in one transaction with its audit event: remove a
 * candidate, block a member (added to the vote path's Redis set before the commit, so it
 * holds from the moment it is recorded), refer the matter on, or dismiss it.
 */
export async function decideComplaint(db: Kysely<Database>, redis: Redis, prefix: string, actor: Actor, complaintId: number, d: DecisionInput): Promise<Decided> {
  return db.transaction().execute(async (trx) => {
    const c = await lockComplaint(trx, complaintId);
    if (!c) throw new AdminErrors.COMPLAINT_NOT_FOUND();
    if (c.status === 'upheld' || c.status === 'dismissed') throw new AdminErrors.COMPLAINT_CLOSED();
    let candidateId: number | null = null;
    let memberId: string | null = null;
    if (d.kind === 'remove_candidate') candidateId = await removeCandidate(trx, c.election_id, d.candidateId ?? c.candidate_id ?? undefined, d.reasonCode ?? 'other');
    if (d.kind === 'block_member') {
      const member = await findMemberForControl(trx, d.memberId ?? c.member_id ?? '0');
      if (!member) throw new AdminErrors.MEMBER_NOT_FOUND();
      memberId = String(member.id);
    }
    const decision = await recordDecision(trx, { electionId: c.election_id, complaintId, kind: d.kind, candidateId, memberId, reasonCode: d.reasonCode ?? null, text: d.text, decidedBy: actor.id });
    if (memberId !== null) {
      if (!(await blockMember(trx, c.election_id, memberId, decision.id))) throw new AdminErrors.MEMBER_ALREADY_BLOCKED();
      await addBlock(redis, prefix, c.election_id, memberId);
    }
    const closed = await closeComplaint(trx, complaintId, upholds(d.kind), d.kind, d.text);
    await appendAuditEvent(trx, {
      actor: { role: actor.role, id: String(actor.id) },
      action: AUDIT_ACTIONS[d.kind],
      // A member is never named in the public trail: the complaint stands for them.
      subject: candidateId !== null ? `candidate:${candidateId}` : `complaint:${complaintId}`,
      reason: d.reasonCode ?? d.kind,
      electionId: c.election_id,
    });
    return { electionId: c.election_id, tracking: closed.tracking, state: closed.status as 'upheld' | 'dismissed', updatedAt: new Date(closed.updated_at), ballotChanged: candidateId !== null, recordChanged: candidateId !== null || memberId !== null };
  });
}

/** Puts a removed candidate back on the ballot and into the count (a decision reversed on appeal). */
export async function restoreCandidate(db: Kysely<Database>, actor: Actor, candidateId: number, text: string, complaintId: number | null): Promise<{ electionId: number }> {
  return db.transaction().execute(async (trx) => {
    const cand = await lockCandidate(trx, candidateId);
    if (!cand) throw new AdminErrors.CANDIDATE_NOT_FOUND();
    if (cand.status !== 'removed') throw new AdminErrors.CANDIDATE_NOT_REMOVED();
    await markCandidateRestored(trx, candidateId);
    await recordDecision(trx, { electionId: cand.election_id, complaintId, kind: 'restore_candidate', candidateId, reasonCode: 'appeal', text, decidedBy: actor.id });
    await appendAuditEvent(trx, { actor: { role: actor.role, id: String(actor.id) }, action: 'control.candidate_restored', subject: `candidate:${candidateId}`, reason: 'appeal', electionId: cand.election_id });
    return { electionId: cand.election_id };
  });
}
