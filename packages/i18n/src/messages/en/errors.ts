/**
 * API error messages by code (`errors.<CODE>`), and the codes every service shares
 * (`errors.common.<SUFFIX>`, for `<PREFIX>_ERR_<SUFFIX>`). Arguments are the error's
 * positional parameters: `{0}`, `{1}`. Codes never change; only their words do.
 */
export const errors = {
  'errors.common.VALIDATION': 'The request is not valid: check what was entered',
  'errors.common.NOT_FOUND': 'Not found',
  'errors.common.RATE_LIMITED': 'Too many requests; try again shortly',
  'errors.common.INTERNAL': 'Internal error',
  'errors.common.UNAVAILABLE': 'The service is busy; try again shortly',
  'errors.common.PAYLOAD_TOO_LARGE': 'The request is too large',
  'errors.common.BAD_CONTENT_TYPE': 'The request has the wrong content type',
  'errors.common.BAD_REQUEST': 'The request could not be read',
  'errors.common.URI_TOO_LONG': 'The request path is too long',
  'errors.common.HEADERS_TOO_LARGE': 'The request headers are too large',
  'errors.common.REQUEST_TIMEOUT': 'The request was not received in time',

  'errors.GATEWAY_ERR_UNKNOWN_HOST': 'No site is served at this host name',
  'errors.GATEWAY_ERR_RATE_LIMITED': 'Too many requests from this address; retry in {0} s',
  'errors.GATEWAY_ERR_UPSTREAM_UNAVAILABLE': 'The {0} service is unavailable; retry shortly',
  'errors.GATEWAY_ERR_UPSTREAM_TIMEOUT': 'The {0} service did not answer in time',
  'errors.GATEWAY_ERR_UPSTREAM_FAILED': 'The {0} service failed to answer',
  'errors.GATEWAY_ERR_BAD_PATH': 'The request path cannot be forwarded',
  'errors.GATEWAY_ERR_HEADERS_TOO_LARGE': 'The request headers are too large',

  'errors.VOTE_ERR_AUTH_REJECTED': 'Authorization refused',
  'errors.VOTE_ERR_UNAUTHORIZED': 'A valid bearer token is required',
  'errors.VOTE_ERR_WINDOW_CLOSED': 'Voting is not open',
  'errors.VOTE_ERR_NOT_ELIGIBLE': 'This member may not vote in this election',
  'errors.VOTE_ERR_NOT_YOUR_CONTEST': 'Contest {0} is not on your ballot',
  'errors.VOTE_ERR_DUPLICATE_CONTEST': 'Contest {0} appears more than once',
  'errors.VOTE_ERR_UNKNOWN_CANDIDATE': 'Candidate {0} is not in contest {1}',
  'errors.VOTE_ERR_CANDIDATE_REMOVED': 'Candidate {0} has been removed from contest {1}',
  'errors.VOTE_ERR_TOO_MANY_MARKS': 'Contest {0} allows at most {1} marks',
  'errors.VOTE_ERR_DUPLICATE_MARK': 'Candidate {0} is marked twice in contest {1}',
  'errors.VOTE_ERR_ALREADY_VOTED': 'You have already voted in contest {0}',
  'errors.VOTE_ERR_RECEIPT_UNKNOWN': 'No such receipt',
  'errors.VOTE_ERR_UNAVAILABLE': 'Voting is busy; try again shortly',
  'errors.VOTE_ERR_NO_ELECTION': 'No election is set up',
  'errors.VOTE_ERR_IP_IN_USE': 'Another member has already signed in from this network; use your own connection or a polling station',
  'errors.VOTE_ERR_BAD_CLIENT_ADDRESS': 'The client address is not a valid IP address',
  'errors.VOTE_ERR_CODE_LIMIT': 'Too many code requests; try again later',
  'errors.VOTE_ERR_RESEND_TOO_SOON': 'A code was sent a moment ago; wait before asking again',
  'errors.VOTE_ERR_SMS_BUSY': 'Codes are queued; try again in a moment',
  'errors.VOTE_ERR_CODE_INVALID': 'Wrong code; {0} attempts left',
  'errors.VOTE_ERR_CODE_EXPIRED': 'The code has expired or was already used; request a new one',
  'errors.VOTE_ERR_CODE_LOCKED': 'Too many wrong codes; request a new one',

  'errors.RESULTS_ERR_NOT_READY': 'Results are not published yet',
  'errors.RESULTS_ERR_CONTEST_NOT_FOUND': 'No such contest in the results',
} as const;
