import { defineError } from '@primaries/service-kit';

/**
 * The vote site's error catalogue. Codes are stable and listed in docs/api.md (a test
 * checks it lists every one). Add, never rename.
 */
export const VoteErrors = {
  /** Any IIN / phone / eligibility mismatch: one answer, so the endpoint is no membership oracle. */
  AUTH_REJECTED: defineError('VOTE_ERR_AUTH_REJECTED', 'Authorization refused', 403),
  UNAUTHORIZED: defineError('VOTE_ERR_UNAUTHORIZED', 'A valid bearer token is required', 401),
  // Casting votes (docs/voting.md).
  WINDOW_CLOSED: defineError('VOTE_ERR_WINDOW_CLOSED', 'Voting is not open', 403),
  NOT_ELIGIBLE: defineError('VOTE_ERR_NOT_ELIGIBLE', 'This member may not vote in this election', 403),
  NOT_YOUR_CONTEST: defineError('VOTE_ERR_NOT_YOUR_CONTEST', 'Contest %s is not on your ballot', 422),
  DUPLICATE_CONTEST: defineError('VOTE_ERR_DUPLICATE_CONTEST', 'Contest %s appears more than once', 422),
  UNKNOWN_CANDIDATE: defineError('VOTE_ERR_UNKNOWN_CANDIDATE', 'Candidate %s is not in contest %s', 422),
  CANDIDATE_REMOVED: defineError('VOTE_ERR_CANDIDATE_REMOVED', 'Candidate %s has been removed from contest %s', 422),
  TOO_MANY_MARKS: defineError('VOTE_ERR_TOO_MANY_MARKS', 'Contest %s allows at most %s marks', 422),
  DUPLICATE_MARK: defineError('VOTE_ERR_DUPLICATE_MARK', 'Candidate %s is marked twice in contest %s', 422),
  /** The member is on a polling station's list: they vote on paper there (GET /api/v1/paper-station says where and when). */
  PAPER_VOTER: defineError('VOTE_ERR_PAPER_VOTER', 'You vote on paper at your polling station', 403),
  ALREADY_VOTED: defineError('VOTE_ERR_ALREADY_VOTED', 'You have already voted in contest %s', 409),
  RECEIPT_UNKNOWN: defineError('VOTE_ERR_RECEIPT_UNKNOWN', 'No such receipt', 404),
  UNAVAILABLE: defineError('VOTE_ERR_UNAVAILABLE', 'Voting is busy; try again shortly', 503),
  // Authorization (docs/auth.md).
  NO_ELECTION: defineError('VOTE_ERR_NO_ELECTION', 'No election is set up', 404),
  IP_IN_USE: defineError('VOTE_ERR_IP_IN_USE', 'Another member has already signed in from this network; use your own connection or a polling station', 403),
  /** The client address (from the gateway's X-Forwarded-For) is not an IP address: refused before any store or log sees it. */
  BAD_CLIENT_ADDRESS: defineError('VOTE_ERR_BAD_CLIENT_ADDRESS', 'The client address is not a valid IP address', 400),
  CODE_LIMIT: defineError('VOTE_ERR_CODE_LIMIT', 'Too many code requests; try again later', 429),
  RESEND_TOO_SOON: defineError('VOTE_ERR_RESEND_TOO_SOON', 'A code was sent a moment ago; wait before asking again', 429),
  SMS_BUSY: defineError('VOTE_ERR_SMS_BUSY', 'Codes are queued; try again in a moment', 503),
  CODE_INVALID: defineError('VOTE_ERR_CODE_INVALID', 'Wrong code; %s attempts left', 401),
  CODE_EXPIRED: defineError('VOTE_ERR_CODE_EXPIRED', 'The code has expired or was already used; request a new one', 410),
  CODE_LOCKED: defineError('VOTE_ERR_CODE_LOCKED', 'Too many wrong codes; request a new one', 403),
  // Party control (issue #14, docs/control.md).
  MEMBER_BLOCKED: defineError('VOTE_ERR_MEMBER_BLOCKED', 'The party-control committee has blocked this member from voting', 403),
  COMPLAINT_LIMIT: defineError('VOTE_ERR_COMPLAINT_LIMIT', 'Too many complaints; try again later', 429),
  EVIDENCE_TOO_MANY: defineError('VOTE_ERR_EVIDENCE_TOO_MANY', 'At most 5 evidence files', 422),
  EVIDENCE_TOO_LARGE: defineError('VOTE_ERR_EVIDENCE_TOO_LARGE', 'Evidence file %s is too large', 413),
  EVIDENCE_TYPE: defineError('VOTE_ERR_EVIDENCE_TYPE', 'Evidence file %s is not a PDF, JPEG or PNG', 415),
  EVIDENCE_BOMB: defineError('VOTE_ERR_EVIDENCE_BOMB', 'Evidence file %s is an archive or a decompression bomb', 422),
  EVIDENCE_POLYGLOT: defineError('VOTE_ERR_EVIDENCE_POLYGLOT', 'Evidence file %s hides other content', 422),
} as const;
