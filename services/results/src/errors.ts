/**
 * The results site's error codes (besides the common RESULTS_ERR_VALIDATION,
 * RESULTS_ERR_NOT_FOUND, RESULTS_ERR_INTERNAL). Answered directly by the routes with
 * `{error: {code, message}}`; a test checks docs/api.md lists every code.
 */
export const ResultsErrorCodes = {
  /** 503 + Retry-After: no snapshot has been published (or loaded) yet. */
  NOT_READY: 'RESULTS_ERR_NOT_READY',
  /** 404: the snapshot has no contest with this id. */
  CONTEST_NOT_FOUND: 'RESULTS_ERR_CONTEST_NOT_FOUND',
  // The complaint form (issue #14, docs/control.md).
  /** 422: a public complaint needs a phone number or e-mail address. */
  CONTACT_REQUIRED: 'RESULTS_ERR_CONTACT_REQUIRED',
  /** 403: the proof of work is missing, wrong, expired or already used. */
  POW_INVALID: 'RESULTS_ERR_POW_INVALID',
  /** 429: too many complaints from this address this hour. */
  COMPLAINT_LIMIT: 'RESULTS_ERR_COMPLAINT_LIMIT',
  /** 422: the complaint names a candidate the results do not know. */
  UNKNOWN_SUBJECT: 'RESULTS_ERR_UNKNOWN_SUBJECT',
  /** 404: no complaint has this tracking number. */
  COMPLAINT_NOT_FOUND: 'RESULTS_ERR_COMPLAINT_NOT_FOUND',
  /** 422 / 413 / 415: an evidence file refused; nothing of the complaint is kept. */
  EVIDENCE_TOO_MANY: 'RESULTS_ERR_EVIDENCE_TOO_MANY',
  EVIDENCE_TOO_LARGE: 'RESULTS_ERR_EVIDENCE_TOO_LARGE',
  EVIDENCE_TYPE: 'RESULTS_ERR_EVIDENCE_TYPE',
  EVIDENCE_BOMB: 'RESULTS_ERR_EVIDENCE_BOMB',
  EVIDENCE_POLYGLOT: 'RESULTS_ERR_EVIDENCE_POLYGLOT',
  /** 404: the public archive is published only once the voting window has closed and every ballot is released (issue #16). */
  ARCHIVE_NOT_READY: 'RESULTS_ERR_ARCHIVE_NOT_READY',
  /** 404: the archive has no file of this name. */
  ARCHIVE_FILE_NOT_FOUND: 'RESULTS_ERR_ARCHIVE_FILE_NOT_FOUND',
  /** 409: a contest's protocol before the final results are published (issue #13). */
  NOT_PUBLISHED: 'RESULTS_ERR_NOT_PUBLISHED',
  /** 503 + Retry-After: published, but the worker has not written the protocols yet. */
  PROTOCOL_NOT_READY: 'RESULTS_ERR_PROTOCOL_NOT_READY',
} as const;
