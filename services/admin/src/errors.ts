import { defineError } from '@primaries/service-kit';
import { PaperErrors } from './paper/errors';

/**
 * The officials' site's error catalogue (STYLE.md habit 4). Codes are stable and listed in
 * docs/admin.md (a test checks that). Add, never rename. The common ones come from
 * service-kit's commonErrorCodes('ADMIN').
 */
export const AdminErrors = {
  /** No session, or one that ended (idle, absolute timeout, signed out, account disabled). */
  UNAUTHENTICATED: defineError('ADMIN_ERR_UNAUTHENTICATED', 'Sign in first', 401),
  /** Signed in, but this role may not do this. */
  FORBIDDEN: defineError('ADMIN_ERR_FORBIDDEN', 'Your role may not do this', 403),
  /** A state-changing request without the session's CSRF token. */
  CSRF: defineError('ADMIN_ERR_CSRF', 'The form is out of date; reload the page and try again', 403),
  /** Wrong login, password or one-time code (one answer for all, so it tells nothing). */
  SIGNIN_FAILED: defineError('ADMIN_ERR_SIGNIN_FAILED', 'Wrong login, password or one-time code', 401),
  /** The one-time code was already used (replayed). */
  TOTP_REPLAYED: defineError('ADMIN_ERR_TOTP_REPLAYED', 'This one-time code was already used; wait for the next one', 401),
  LOCKED: defineError('ADMIN_ERR_LOCKED', 'Too many failed sign-ins; the account is locked for a while', 423),
  /** The enrolment link is unknown, used, expired, or its account disabled. */
  ENROLMENT_INVALID: defineError('ADMIN_ERR_ENROLMENT_INVALID', 'This enrolment link is not valid (used, expired or unknown); ask an organizer for a new one', 410),
  WEAK_PASSWORD: defineError('ADMIN_ERR_WEAK_PASSWORD', 'The password is too weak: use at least 12 characters that are hard to guess', 422),
  TOTP_INVALID: defineError('ADMIN_ERR_TOTP_INVALID', 'The one-time code is wrong; check the authenticator app\'s clock', 422),
  STAFF_NOT_FOUND: defineError('ADMIN_ERR_STAFF_NOT_FOUND', 'No such staff account', 404),
  LOGIN_TAKEN: defineError('ADMIN_ERR_LOGIN_TAKEN', 'This login is taken', 409),
  STATION_REQUIRED: defineError('ADMIN_ERR_STATION_REQUIRED', 'A precinct account needs a polling station, and only a precinct account has one', 422),
  UNKNOWN_STATION: defineError('ADMIN_ERR_UNKNOWN_STATION', 'No such polling station', 422),
  LAST_ORGANIZER: defineError('ADMIN_ERR_LAST_ORGANIZER', 'The last organizer cannot be disabled', 409),
  // Party control (issue #14, docs/control.md).
  COMPLAINT_NOT_FOUND: defineError('ADMIN_ERR_COMPLAINT_NOT_FOUND', 'No such complaint', 404),
  COMPLAINT_CLOSED: defineError('ADMIN_ERR_COMPLAINT_CLOSED', 'This complaint already has a decision', 409),
  CANDIDATE_NOT_FOUND: defineError('ADMIN_ERR_CANDIDATE_NOT_FOUND', 'No such candidate in this election', 422),
  CANDIDATE_NOT_REMOVED: defineError('ADMIN_ERR_CANDIDATE_NOT_REMOVED', 'This candidate is not removed', 409),
  CANDIDATE_ALREADY_REMOVED: defineError('ADMIN_ERR_CANDIDATE_ALREADY_REMOVED', 'This candidate is already removed', 409),
  MEMBER_ALREADY_BLOCKED: defineError('ADMIN_ERR_MEMBER_ALREADY_BLOCKED', 'This member is already blocked', 409),
  EVIDENCE_REFUSED: defineError('ADMIN_ERR_EVIDENCE_REFUSED', 'Evidence refused: %s', 422),
  // The election's lifecycle (issue #13, docs/lifecycle.md).
  /** Scheduling: only a draft can be scheduled. */
  NOT_DRAFT: defineError('ADMIN_ERR_NOT_DRAFT', 'Only a draft election can be scheduled (this one is %s)', 409),
  /** Scheduling: the pre-open check found problems (listed in the answer's `problems`). */
  PRE_OPEN_FAILED: defineError('ADMIN_ERR_PRE_OPEN_FAILED', 'The pre-open check found %s problem(s); fix them first', 422),
  /** Extending or closing early: the window is not open (scheduled, closed or published). */
  NOT_OPEN: defineError('ADMIN_ERR_NOT_OPEN', 'The voting window is not open (the election is %s)', 409),
  /** Extending: the new close is not later than the current one. */
  CLOSE_NOT_LATER: defineError('ADMIN_ERR_CLOSE_NOT_LATER', 'The new closing time must be later than the current one (%s)', 422),
  /** Early close: another request is waiting for a second organizer. */
  CLOSE_ALREADY_REQUESTED: defineError('ADMIN_ERR_CLOSE_ALREADY_REQUESTED', 'An early close is already waiting for a second organizer', 409),
  CLOSE_REQUEST_NOT_FOUND: defineError('ADMIN_ERR_CLOSE_REQUEST_NOT_FOUND', 'No such early-close request', 404),
  /** Early close: the organizer who asked cannot also confirm. */
  SECOND_ORGANIZER_REQUIRED: defineError('ADMIN_ERR_SECOND_ORGANIZER_REQUIRED', 'A different organizer must confirm the early close', 409),
  CLOSE_REQUEST_EXPIRED: defineError('ADMIN_ERR_CLOSE_REQUEST_EXPIRED', 'This early-close request has expired; ask again', 410),
  CLOSE_REQUEST_DONE: defineError('ADMIN_ERR_CLOSE_REQUEST_DONE', 'This early-close request was already confirmed', 409),
  /** Publishing: the window has not closed yet. */
  NOT_CLOSED: defineError('ADMIN_ERR_NOT_CLOSED', 'Results can be published only after the close (the election is %s)', 409),
  ALREADY_PUBLISHED: defineError('ADMIN_ERR_ALREADY_PUBLISHED', 'The results are already published', 409),
  /** Publishing: ballots still queued or sealed; the worker releases them after the close. */
  BALLOTS_PENDING: defineError('ADMIN_ERR_BALLOTS_PENDING', '%s ballot(s) are not counted yet; publish once the count is complete', 409),
  /** A protocol is asked for before publication (or before the worker has made it). */
  PROTOCOL_NOT_READY: defineError('ADMIN_ERR_PROTOCOL_NOT_READY', 'The protocols are made when the results are published', 409),
  /** No election (none yet, or no election with the slug given). */
  ELECTION_NOT_FOUND: defineError('ADMIN_ERR_ELECTION_NOT_FOUND', 'No such election', 404),
  /** A setup file cannot be read at all (its name, header or CSV); the argument says which and why. */
  IMPORT_FILE_INVALID: defineError('ADMIN_ERR_IMPORT_FILE_INVALID', 'A setup file cannot be imported: %s', 422),
  /** Lines of the setup files were refused: nothing was written (the report lists every one). */
  IMPORT_REJECTED: defineError('ADMIN_ERR_IMPORT_REJECTED', '%s line(s) refused; nothing was written', 422),
  /** The election's window has opened: its setup can no longer change. */
  SETUP_LOCKED: defineError('ADMIN_ERR_SETUP_LOCKED', 'The voting window has opened: the setup can no longer be changed', 409),
  /** No member with this IIN in the register. */
  MEMBER_NOT_FOUND: defineError('ADMIN_ERR_MEMBER_NOT_FOUND', 'No member with this IIN', 404),
  /** The membership freeze runs (its first and last day): only the control committee changes a member's status. */
  FREEZE_CONTROL_ONLY: defineError('ADMIN_ERR_FREEZE_CONTROL_ONLY', 'The membership freeze runs (%s to %s): only the control committee may change a member\'s status', 403),
} as const;

/** Every code the admin service can answer with (for the docs check). */
export const ADMIN_ERROR_CODES = [
  ...Object.values(AdminErrors).map((E) => new E().code),
  ...Object.values(PaperErrors).map((E) => new E().code),
  'ADMIN_ERR_VALIDATION',
  'ADMIN_ERR_NOT_FOUND',
  'ADMIN_ERR_RATE_LIMITED',
  'ADMIN_ERR_INTERNAL',
  'ADMIN_ERR_UNAVAILABLE',
] as const;
