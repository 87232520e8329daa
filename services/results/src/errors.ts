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
  /** 404: the public archive is published only once the voting window has closed and every ballot is released (issue #16). */
  ARCHIVE_NOT_READY: 'RESULTS_ERR_ARCHIVE_NOT_READY',
  /** 404: the archive has no file of this name. */
  ARCHIVE_FILE_NOT_FOUND: 'RESULTS_ERR_ARCHIVE_FILE_NOT_FOUND',
  /** 409: a contest's protocol before the final results are published (issue #13). */
  NOT_PUBLISHED: 'RESULTS_ERR_NOT_PUBLISHED',
  /** 503 + Retry-After: published, but the worker has not written the protocols yet. */
  PROTOCOL_NOT_READY: 'RESULTS_ERR_PROTOCOL_NOT_READY',
} as const;
