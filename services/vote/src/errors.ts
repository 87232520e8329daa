import { defineError } from '@primaries/service-kit';

/**
 * The vote site's error catalogue. Codes are stable and listed in the README (a test
 * checks the README lists every one). Add, never rename.
 */
export const VoteErrors = {
  /** Any IIN / phone / eligibility mismatch: one answer, so the endpoint is no membership oracle. */
  AUTH_REJECTED: defineError('VOTE_ERR_AUTH_REJECTED', 'Authorization refused', 403),
  UNAUTHORIZED: defineError('VOTE_ERR_UNAUTHORIZED', 'A valid bearer token is required', 401),
} as const;
