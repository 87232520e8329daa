import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { ControlDecisionKind } from '../tables/control.table';
import type { ComplaintDecisionKind } from '../tables/oversight.table';

type Db = Kysely<Database> | Transaction<Database>;

export interface DecisionRecord {
  electionId: number;
  complaintId: number | null;
  kind: ControlDecisionKind;
  candidateId?: number | null;
  memberId?: string | null;
  reasonCode?: string | null;
  text: string;
  decidedBy: number;
}

/** Appends a decision of the party-control committee; returns its id and time. */
export async function recordDecision(trx: Transaction<Database>, d: DecisionRecord) {
  return trx
    .insertInto('control_decisions')
    .values({ election_id: d.electionId, complaint_id: d.complaintId, kind: d.kind, candidate_id: d.candidateId ?? null, member_id: d.memberId ?? null, reason_code: d.reasonCode ?? null, text: d.text, decided_by: d.decidedBy })
    .returning(['id', 'decided_at'])
    .executeTakeFirstOrThrow();
}

/** Closes a complaint with its decision (upheld or dismissed). */
export async function closeComplaint(trx: Transaction<Database>, id: number, upheld: boolean, kind: ComplaintDecisionKind, text: string) {
  const now = new Date();
  return trx
    .updateTable('complaints')
    .set({ status: upheld ? 'upheld' : 'dismissed', decision_kind: kind, decision: text, decided_at: now, updated_at: now })
    .where('id', '=', id)
    .returning(['tracking', 'status', 'updated_at'])
    .executeTakeFirstOrThrow();
}

/** A candidate with its contest's election, locked for a status change. */
export async function lockCandidate(trx: Transaction<Database>, candidateId: number) {
  return trx
    .selectFrom('candidates')
    .innerJoin('contests', 'contests.id', 'candidates.contest_id')
    .select(['candidates.id', 'candidates.status', 'candidates.contest_id', 'contests.election_id'])
    .where('candidates.id', '=', candidateId)
    .forUpdate()
    .executeTakeFirst();
}

/** Takes a candidate off the ballot and out of the count, with the reason code. */
export async function markCandidateRemoved(trx: Transaction<Database>, candidateId: number, reasonCode: string): Promise<void> {
  await trx.updateTable('candidates').set({ status: 'removed', removed_at: new Date(), removal_reason: reasonCode }).where('id', '=', candidateId).execute();
}

/** Puts a removed candidate back (a decision reversed on appeal). */
export async function markCandidateRestored(trx: Transaction<Database>, candidateId: number): Promise<void> {
  await trx.updateTable('candidates').set({ status: 'active', removed_at: null, removal_reason: null }).where('id', '=', candidateId).execute();
}

/** Blocks a member from voting in an election; false when the block was already there. */
export async function blockMember(trx: Transaction<Database>, electionId: number, memberId: string, decisionId: number): Promise<boolean> {
  const r = await trx.insertInto('member_blocks').values({ election_id: electionId, member_id: memberId, decision_id: decisionId }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Every member blocked in an election (to seed the vote path's Redis set). */
export async function blockedMemberIds(db: Db, electionId: number): Promise<string[]> {
  const rows = await db.selectFrom('member_blocks').select('member_id').where('election_id', '=', electionId).execute();
  return rows.map((r) => String(r.member_id));
}

/** A member's region and primary organisation: what the public record may say of them. */
export async function findMemberForControl(db: Db, memberId: string) {
  return db.selectFrom('members').select(['id', 'region_id', 'primary_org']).where('id', '=', memberId).executeTakeFirst();
}

/**
 * The public record (issue #14): decisions that removed or restored a candidate or blocked a
 * member, oldest first. A member appears by region and primary organisation only.
 */
export async function publicDecisions(db: Db, electionId: number) {
  return db
    .selectFrom('control_decisions as d')
    .leftJoin('candidates as c', 'c.id', 'd.candidate_id')
    .leftJoin('members as m', 'm.id', 'd.member_id')
    .leftJoin('regions as r', 'r.id', 'm.region_id')
    .select([
      'd.id',
      'd.kind',
      'd.decided_at',
      'd.reason_code',
      'd.candidate_id',
      'c.contest_id',
      'c.full_name as candidate_name',
      'c.full_name_kk as candidate_name_kk',
      'r.name as member_region',
      'r.name_kk as member_region_kk',
      'm.primary_org as member_org',
    ])
    .where('d.election_id', '=', electionId)
    .where('d.kind', 'in', ['remove_candidate', 'restore_candidate', 'block_member'])
    .orderBy('d.decided_at')
    .orderBy('d.id')
    .execute();
}

/** The election of a member's block check: nothing else. */
export async function isMemberBlocked(db: Db, electionId: number, memberId: string): Promise<boolean> {
  const r = await sql<{ x: number }>`select 1 as x from member_blocks where election_id = ${electionId} and member_id = ${memberId}`.execute(db);
  return r.rows.length > 0;
}
