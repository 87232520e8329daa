import { z } from 'zod';
import { COMPLAINT_CATEGORIES, SUBJECT_KINDS } from '@primaries/complaints';
import { DECISION_KINDS, REMOVAL_REASONS } from '@primaries/domain';

export const complaintStatus = z.enum(['received', 'reviewing', 'upheld', 'dismissed']);

/** A complaint as the console lists it. */
export const complaintView = z.object({
  id: z.number(),
  tracking: z.string(),
  source: z.string(),
  subjectKind: z.enum(SUBJECT_KINDS),
  candidateId: z.number().nullable(),
  memberId: z.string().nullable(),
  stationId: z.number().nullable(),
  contestId: z.number().nullable(),
  category: z.string(),
  text: z.string(),
  contact: z.string().nullable(),
  status: complaintStatus,
  assigneeId: z.number().nullable(),
  decisionKind: z.string().nullable(),
  decision: z.string().nullable(),
  receivedAt: z.string(),
  updatedAt: z.string(),
  decidedAt: z.string().nullable(),
});

export const complaintDetail = z.object({
  complaint: complaintView,
  evidence: z.array(z.object({ id: z.number(), name: z.string(), mediaType: z.string(), size: z.number(), sha256: z.string() })),
  notes: z.array(z.object({ id: z.number(), staffId: z.number(), text: z.string(), at: z.string() })),
});

const iso = (d: unknown) => new Date(d as string).toISOString();

/** The console's view of a complaint row. */
export function toComplaintView(c: {
  id: number; tracking: string; source: string; subject_kind: (typeof SUBJECT_KINDS)[number]; candidate_id: number | null; member_id: string | null; station_id: number | null; contest_id: number | null;
  category: string; summary: string; contact: string | null; status: z.infer<typeof complaintStatus>; assignee_id: number | null; decision_kind: string | null; decision: string | null; received_at: unknown; updated_at: unknown; decided_at: unknown;
}): z.infer<typeof complaintView> {
  return {
    id: c.id,
    tracking: c.tracking,
    source: c.source,
    subjectKind: c.subject_kind,
    candidateId: c.candidate_id,
    memberId: c.member_id === null ? null : String(c.member_id),
    stationId: c.station_id,
    contestId: c.contest_id,
    category: c.category,
    text: c.summary,
    contact: c.contact,
    status: c.status,
    assigneeId: c.assignee_id,
    decisionKind: c.decision_kind,
    decision: c.decision,
    receivedAt: iso(c.received_at),
    updatedAt: iso(c.updated_at),
    decidedAt: c.decided_at ? iso(c.decided_at) : null,
  };
}

/** A staff member's entry of a hotline or e-mail complaint. */
export const staffComplaintBody = z.object({
  source: z.enum(['hotline', 'email']),
  subject: z.object({ kind: z.enum(SUBJECT_KINDS), id: z.number().int().positive().optional() }),
  memberId: z.string().regex(/^\d{1,18}$/).optional(),
  category: z.enum(COMPLAINT_CATEGORIES),
  text: z.string().trim().min(10).max(4000),
  contact: z.string().trim().min(3).max(200).optional(),
  evidence: z.array(z.object({ name: z.string().trim().min(1).max(200), data: z.string() })).max(5).default([]),
});

/** A written decision. */
export const decisionBody = z
  .object({
    kind: z.enum(DECISION_KINDS),
    text: z.string().trim().min(10).max(4000),
    candidateId: z.number().int().positive().optional(),
    memberId: z.string().regex(/^\d{1,18}$/).optional(),
    reasonCode: z.enum(REMOVAL_REASONS).optional(),
  })
  .refine((d) => d.kind !== 'remove_candidate' || d.reasonCode !== undefined, { message: 'a removal needs its reason code', path: ['reasonCode'] });
