import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { ComplaintSource, ComplaintStatus, ComplaintSubjectKind } from '../tables/oversight.table';
import type { ComplaintEvidence } from '../tables/control.table';

type Db = Kysely<Database> | Transaction<Database>;

/** A complaint as intake hands it over (issue #14): subject, text, contact and checked evidence. */
export interface ComplaintIntake {
  electionId: number;
  tracking: string;
  source: ComplaintSource;
  subjectKind: ComplaintSubjectKind;
  candidateId?: number | null;
  memberId?: string | null;
  stationId?: number | null;
  contestId?: number | null;
  category: string;
  text: string;
  contact?: string | null;
  evidence: ReadonlyArray<Pick<ComplaintEvidence, 'file_name' | 'media_type' | 'size' | 'sha256' | 'bytes'>>;
}

/**
 * Stores a complaint and its evidence in one transaction; a second call with the same
 * tracking number (a replayed intake job) stores nothing. Returns the id, or null when it was there.
 */
export async function insertComplaint(trx: Transaction<Database>, c: ComplaintIntake): Promise<number | null> {
  const row = await trx
    .insertInto('complaints')
    .values({
      election_id: c.electionId,
      tracking: c.tracking,
      source: c.source,
      subject_kind: c.subjectKind,
      candidate_id: c.candidateId ?? null,
      member_id: c.memberId ?? null,
      station_id: c.stationId ?? null,
      contest_id: c.contestId ?? null,
      category: c.category,
      summary: c.text,
      contact: c.contact ?? null,
    })
    .onConflict((oc) => oc.column('tracking').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return null;
  if (c.evidence.length) await trx.insertInto('complaint_evidence').values(c.evidence.map((e) => ({ ...e, complaint_id: row.id }))).execute();
  return row.id;
}

export interface ComplaintFilter {
  electionId?: number;
  status?: ComplaintStatus;
  subjectKind?: ComplaintSubjectKind;
  assigneeId?: number;
  limit?: number;
  offset?: number;
}

/** Complaints newest first, filtered; no evidence bytes. */
export async function listComplaints(db: Db, f: ComplaintFilter = {}) {
  let q = db.selectFrom('complaints').selectAll().orderBy('received_at', 'desc').orderBy('id', 'desc').limit(f.limit ?? 100).offset(f.offset ?? 0);
  if (f.electionId !== undefined) q = q.where('election_id', '=', f.electionId);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.subjectKind) q = q.where('subject_kind', '=', f.subjectKind);
  if (f.assigneeId !== undefined) q = q.where('assignee_id', '=', f.assigneeId);
  return q.execute();
}

/** One complaint with its evidence (without bytes) and notes; undefined when there is none. */
export async function findComplaint(db: Db, id: number) {
  const complaint = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
  if (!complaint) return undefined;
  const [evidence, notes] = await Promise.all([
    db.selectFrom('complaint_evidence').select(['id', 'file_name', 'media_type', 'size', 'sha256']).where('complaint_id', '=', id).orderBy('id').execute(),
    db.selectFrom('complaint_notes').select(['id', 'staff_id', 'text', 'at']).where('complaint_id', '=', id).orderBy('id').execute(),
  ]);
  return { complaint, evidence, notes };
}

/** A complaint for update inside a decision's transaction (row lock). */
export async function lockComplaint(trx: Transaction<Database>, id: number) {
  return trx.selectFrom('complaints').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** One evidence file with its bytes. */
export async function findEvidence(db: Db, complaintId: number, evidenceId: number) {
  return db.selectFrom('complaint_evidence').selectAll().where('complaint_id', '=', complaintId).where('id', '=', evidenceId).executeTakeFirst();
}

/** What a complainant sees: the state and when it last changed. */
export async function complaintState(db: Db, tracking: string) {
  return db.selectFrom('complaints').select(['status', 'updated_at']).where('tracking', '=', tracking).executeTakeFirst();
}

/** Sets the assignee; a received complaint goes under review. */
export async function assignComplaint(trx: Transaction<Database>, id: number, staffId: number) {
  return trx
    .updateTable('complaints')
    .set({ assignee_id: staffId, status: sql<ComplaintStatus>`case when status = 'received' then 'reviewing' else status end`, updated_at: new Date() })
    .where('id', '=', id)
    .returning(['status', 'updated_at', 'tracking'])
    .executeTakeFirst();
}

/** Adds a reviewer's note. */
export async function addComplaintNote(trx: Transaction<Database>, complaintId: number, staffId: number, text: string) {
  await trx.updateTable('complaints').set({ updated_at: new Date() }).where('id', '=', complaintId).execute();
  return trx.insertInto('complaint_notes').values({ complaint_id: complaintId, staff_id: staffId, text }).returning(['id', 'at']).executeTakeFirstOrThrow();
}
