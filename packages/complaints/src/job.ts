import type { Queue } from 'bullmq';
import { z } from 'zod';
import { SUBJECT_KINDS } from './intake';
import type { CheckedEvidence } from './evidence';

/**
 * A checked complaint on QUEUES.complaints, from the results site (which has no database)
 * or the vote site, to the worker that stores it. The job id is the tracking number, so a
 * replayed job stores nothing twice.
 */
export const complaintJobSchema = z.object({
  tracking: z.string(),
  /** The election the site serves; the worker falls back to the current one. */
  electionId: z.number().int().positive().nullable(),
  source: z.enum(['web', 'member']),
  memberId: z.string().nullable(),
  subject: z.object({ kind: z.enum(SUBJECT_KINDS), id: z.number().int().positive().optional() }),
  category: z.string(),
  text: z.string(),
  contact: z.string().nullable(),
  evidence: z.array(z.object({ name: z.string(), mediaType: z.enum(['application/pdf', 'image/jpeg', 'image/png']), size: z.number().int(), sha256: z.string(), data: z.string() })),
});
export type ComplaintJob = z.infer<typeof complaintJobSchema>;

/** The job's evidence entries from checked files (bytes back to base64 for the queue). */
export function jobEvidence(files: readonly CheckedEvidence[]): ComplaintJob['evidence'] {
  return files.map((f) => ({ name: f.name, mediaType: f.mediaType, size: f.size, sha256: f.sha256, data: f.bytes.toString('base64') }));
}

/** Queues a complaint; resolves once it is in Redis. */
export async function enqueueComplaint(queue: Queue, job: ComplaintJob): Promise<void> {
  await queue.add('complaint', job, { jobId: job.tracking, attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 1000 } });
}
