import type { Kysely } from 'kysely';
import { type Database, insertComplaint } from '@primaries/db';
import { newTracking } from '@primaries/complaints';

/** A register member in the given place (no IIN a test cares about). */
export async function addMember(db: Kysely<Database>, regionId: number, districtId: number, org = 'School No. 5 primary organisation'): Promise<string> {
  const k = Math.floor(Math.random() * 1e9);
  const row = await db
    .insertInto('members')
    .values({ iin: String(300000000000 + k), phone: `+7705${String(k % 1e7).padStart(7, '0')}`, full_name: 'Blocked Person', gender: 'M', birth_date: '1980-01-01', region_id: regionId, district_id: districtId, primary_org: org, admitted_at: '2025-01-01' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** A complaint as intake stores it (the worker's path), without evidence. */
export async function fileComplaint(db: Kysely<Database>, electionId: number, subject: { kind: 'candidate' | 'member' | 'process'; candidateId?: number; memberId?: string }): Promise<{ id: number; tracking: string }> {
  const tracking = newTracking();
  const id = await db.transaction().execute((trx) =>
    insertComplaint(trx, { electionId, tracking, source: 'web', subjectKind: subject.kind, candidateId: subject.candidateId ?? null, memberId: subject.memberId ?? null, category: 'skipped_debates', text: 'The candidate did not come to the debate on 20 September.', contact: '+77051234567', evidence: [] }),
  );
  return { id: id!, tracking };
}
