/** The officials' site (issue #12): its API errors and its console's words. */
export const admin = {
  'errors.ADMIN_ERR_UNAUTHENTICATED': 'Sign in first',
  'errors.ADMIN_ERR_FORBIDDEN': 'Your role may not do this',
  'errors.ADMIN_ERR_CSRF': 'The form is out of date; reload the page and try again',
  'errors.ADMIN_ERR_SIGNIN_FAILED': 'Wrong login, password or one-time code',
  'errors.ADMIN_ERR_TOTP_REPLAYED': 'This one-time code was already used; wait for the next one',
  'errors.ADMIN_ERR_LOCKED': 'Too many failed sign-ins; the account is locked for a while',
  'errors.ADMIN_ERR_ENROLMENT_INVALID': 'This enrolment link is not valid (used, expired or unknown); ask an organizer for a new one',
  'errors.ADMIN_ERR_WEAK_PASSWORD': 'The password is too weak: use at least 12 characters that are hard to guess',
  'errors.ADMIN_ERR_TOTP_INVALID': 'The one-time code is wrong; check the authenticator app\'s clock',
  'errors.ADMIN_ERR_STAFF_NOT_FOUND': 'No such staff account',
  'errors.ADMIN_ERR_LOGIN_TAKEN': 'This login is taken',
  'errors.ADMIN_ERR_STATION_REQUIRED': 'A precinct account needs a polling station, and only a precinct account has one',
  'errors.ADMIN_ERR_UNKNOWN_STATION': 'No such polling station',
  'errors.ADMIN_ERR_LAST_ORGANIZER': 'The last organizer cannot be disabled',
};
