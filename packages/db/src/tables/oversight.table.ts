import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
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
  /** Set by the writer (its hash covers it); now() by default. */
  at: ColumnType<Date, Date | string | undefined, never>;
  actor: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  details: Generated<Record<string, unknown>>;
  /** The chain (issue #12): position without gaps, and SHA-256 hex over canonical JSON. */
  seq: string | null;
  actor_role: string | null;
  actor_id: string | null;
  subject: string | null;
  reason: string | null;
  prev_hash: string | null;
  hash: string | null;
}
export type AuditEvent = Selectable<AuditEventTable>;
export type NewAuditEvent = Insertable<AuditEventTable>;
