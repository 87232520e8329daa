import { z } from 'zod';

/**
 * A results rebuild on QUEUES.tallies: from the job scheduler, on demand (`primaries results
 * rebuild`), or after an organizer's lifecycle step (extend, early close, publish: issue #13).
 */
export const tallyJobSchema = z.object({
  reason: z.enum(['schedule', 'manual', 'lifecycle', 'control']),
  /** Tally this election instead of the current one. */
  electionId: z.number().int().positive().optional(),
});
export type TallyJob = z.infer<typeof tallyJobSchema>;

/** What a finished rebuild job returns. */
export interface TallyJobResult {
  version: number | null;
  electionId: number | null;
  buildMs: number;
  totalMs: number;
}

/** The id of the tallies job scheduler (one per deployment). */
export const TALLY_SCHEDULER_ID = 'rebuild-tallies';
