/**
 * Who may authorize (docs/auth.md, "Who may sign in"): an active member, admitted before the
 * election's freeze start (`freeze_date`), not expelled, blocked or suspended, whose registered phone
 * matches the one given. Pure: the caller fetches the member and the election.
 */

export interface EligibilityMember {
  status: string;
  /** YYYY-MM-DD. */
  admitted_at: string;
  /** E.164, as registered. */
  phone: string;
}

export interface EligibilityElection {
  /**
   * YYYY-MM-DD, the membership freeze's first day (freeze-window.ts): members admitted on or
   * after it do not vote (2020: 11 Sep). Admissions after the window's end do not vote either.
   */
  freeze_date: string;
}

export type IneligibleReason = 'not_member' | 'phone_mismatch' | 'not_active' | 'admitted_after_freeze';

export type Eligibility = { eligible: true } | { eligible: false; reason: IneligibleReason };

/**
 * Decides eligibility. The reason is for internal metrics only: callers must answer every
 * refusal the same way, or the endpoint becomes a membership oracle.
 */
export function checkEligibility(member: EligibilityMember | null | undefined, election: EligibilityElection, normalizedPhone: string): Eligibility {
  if (!member) return { eligible: false, reason: 'not_member' };
  if (member.phone !== normalizedPhone) return { eligible: false, reason: 'phone_mismatch' };
  if (member.status !== 'active') return { eligible: false, reason: 'not_active' };
  // Dates are zero-padded ISO strings, so string order is date order.
  if (!(member.admitted_at < election.freeze_date)) return { eligible: false, reason: 'admitted_after_freeze' };
  return { eligible: true };
}
