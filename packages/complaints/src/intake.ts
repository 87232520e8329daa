import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES } from './evidence';

/** Complaint categories (the console filters by them; the forms offer them in kk/ru/en). */
export const COMPLAINT_CATEGORIES = ['skipped_debates', 'vote_buying', 'coercion', 'campaign_violation', 'register_error', 'station_conduct', 'technical', 'other'] as const;
export const SUBJECT_KINDS = ['candidate', 'member', 'station', 'contest', 'process'] as const;

const evidenceFile = z.object({
  name: z.string().trim().min(1).max(200),
  /** The file's bytes in base64; the type is read from them, never from the name. */
  data: z.string().max(Math.ceil(EVIDENCE_MAX_BYTES / 3) * 4 + 4),
});

/** What a complaint names: a kind and, for a candidate, station or contest, its id. */
export const complaintSubjectSchema = z
  .object({ kind: z.enum(SUBJECT_KINDS), id: z.number().int().positive().optional() })
  .refine((s) => s.kind === 'process' || s.kind === 'member' || s.id !== undefined, { message: 'a candidate, station or contest subject needs its id', path: ['id'] });

/** The body of `POST /api/v1/complaints` on both public sites. */
export const complaintBodySchema = z.object({
  subject: complaintSubjectSchema,
  category: z.enum(COMPLAINT_CATEGORIES),
  text: z.string().trim().min(10).max(4000),
  /** Phone or e-mail: required from the public, optional from a signed-in member. */
  contact: z.string().trim().min(5).max(200).optional(),
  evidence: z.array(evidenceFile).max(EVIDENCE_MAX_FILES).default([]),
  /** The solved proof-of-work challenge (results site; base64 JSON, see pow.ts). */
  pow: z.string().max(4000).optional(),
});
export type ComplaintBody = z.infer<typeof complaintBodySchema>;

export const trackingSchema = z.string().regex(/^C[0-9A-HJKMNP-TV-Z]{10}$/);
/** `{tracking}`: the answer to a complaint filed. */
export const complaintFiledSchema = z.object({ tracking: z.string() });

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford's base32: no I, L, O, U

/** A new tracking number: `C` and 10 characters of base32 (50 random bits), easy to read over the phone. */
export function newTracking(): string {
  const bytes = randomBytes(10);
  let s = 'C';
  for (const b of bytes) s += ALPHABET[b & 31];
  return s;
}
