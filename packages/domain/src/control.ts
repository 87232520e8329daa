import { z } from 'zod';

/**
 * Party control (issue #14): why a candidate can be removed, what a decision can do, and how
 * a removal changes the count. The console, the tally and the portal use these.
 */
export const REMOVAL_REASONS = ['skipped_debates', 'withdrew', 'deregistered', 'campaign_violation', 'other'] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

/** What a written decision on a complaint does. */
export const DECISION_KINDS = ['remove_candidate', 'block_member', 'refer', 'dismiss'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/** A decision upholds the complaint unless it dismisses it. */
export function upholds(kind: DecisionKind): boolean {
  return kind !== 'dismiss';
}

/**
 * The marks of a candidate that count: none once the candidate is removed (the ballots
 * stay, secret and unchanged; only this candidate's marks are left out), all again once the
 * removal is reversed on appeal.
 */
export function countedVotes(status: 'active' | 'removed', marks: number): number {
  return status === 'removed' ? 0 : marks;
}

export const removalReasonSchema = z.enum(REMOVAL_REASONS);
