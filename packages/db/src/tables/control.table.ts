import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** now() by default. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

/** An evidence file of a complaint: the bytes, the type found in them, their SHA-256 (issue #14). */
export interface ComplaintEvidenceTable {
  id: Generated<number>;
  complaint_id: number;
  file_name: string;
  media_type: 'application/pdf' | 'image/jpeg' | 'image/png';
  size: number;
  sha256: string;
  bytes: Buffer;
}
export type ComplaintEvidence = Selectable<ComplaintEvidenceTable>;
export type NewComplaintEvidence = Insertable<ComplaintEvidenceTable>;

export interface ComplaintNoteTable {
  id: Generated<number>;
  complaint_id: number;
  staff_id: number;
  text: string;
  at: CreatedAt;
}

export type ControlDecisionKind = 'remove_candidate' | 'restore_candidate' | 'block_member' | 'refer' | 'dismiss';
/** Every decision of the party-control committee; the public record is read from here. */
export interface ControlDecisionTable {
  id: Generated<number>;
  election_id: number;
  complaint_id: number | null;
  kind: ControlDecisionKind;
  candidate_id: number | null;
  member_id: string | null;
  reason_code: string | null;
  text: string;
  decided_by: number;
  decided_at: CreatedAt;
}
export type ControlDecision = Selectable<ControlDecisionTable>;

/** A member blocked from voting in one election; apart from `members` so a register re-import never lifts it. */
export interface MemberBlockTable {
  election_id: number;
  member_id: string;
  decision_id: number;
  blocked_at: CreatedAt;
}
