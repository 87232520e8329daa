import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Timestamp } from './election.table';

export type ComplaintStatus = 'received' | 'reviewing' | 'upheld' | 'dismissed';
export type ComplaintSubjectKind = 'candidate' | 'member' | 'station' | 'contest' | 'process';
export type ComplaintSource = 'hotline' | 'email' | 'web' | 'member' | 'observer';
export type ComplaintDecisionKind = 'remove_candidate' | 'block_member' | 'refer' | 'dismiss';
export interface ComplaintTable {
  id: Generated<number>;
  election_id: number;
  /** What the complainant quotes to follow the complaint (issue #14). */
  tracking: string;
  subject_kind: Generated<ComplaintSubjectKind>;
  candidate_id: number | null;
  member_id: string | null;
  station_id: number | null;
  contest_id: number | null;
  source: ComplaintSource;
  category: string;
  summary: string;
  /** How to reach the complainant (never published). */
  contact: string | null;
  status: Generated<ComplaintStatus>;
  assignee_id: number | null;
  decision_kind: ComplaintDecisionKind | null;
  decision: string | null;
  received_at: Generated<Timestamp>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
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
