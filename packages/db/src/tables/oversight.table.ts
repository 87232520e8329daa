import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Timestamp } from './election.table';

export type ComplaintStatus = 'received' | 'reviewing' | 'upheld' | 'dismissed';
export interface ComplaintTable {
  id: Generated<number>;
  election_id: number;
  candidate_id: number | null;
  member_id: string | null;
  source: 'hotline' | 'email' | 'web' | 'observer';
  category: string;
  summary: string;
  status: Generated<ComplaintStatus>;
  decision: string | null;
  received_at: Generated<Timestamp>;
  decided_at: Timestamp | null;
}
export type Complaint = Selectable<ComplaintTable>;
export type NewComplaint = Insertable<ComplaintTable>;
export type ComplaintUpdate = Updateable<ComplaintTable>;

/** Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE. */
export interface AuditEventTable {
  id: Generated<string>;
  election_id: number | null;
  at: Generated<Timestamp>;
  actor: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: Generated<Record<string, unknown>>;
}
export type AuditEvent = Selectable<AuditEventTable>;
export type NewAuditEvent = Insertable<AuditEventTable>;
