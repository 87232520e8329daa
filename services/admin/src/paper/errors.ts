import { defineError } from '@primaries/service-kit';

/** The paper ballots' part of the officials' site's catalogue (issue #15; docs/api.md lists every code). Add, never rename. */
export const PaperErrors = {
  /** A precinct account acting for a station that is not its own. */
  OTHER_STATION: defineError('ADMIN_ERR_OTHER_STATION', 'This belongs to another polling station', 403),
  /** Check-ins only while the station is open (server time); protocols only once it closed. */
  STATION_NOT_OPEN: defineError('ADMIN_ERR_STATION_NOT_OPEN', 'The polling station is not open now', 409),
  STATION_NOT_CLOSED: defineError('ADMIN_ERR_STATION_NOT_CLOSED', 'Protocols are entered after the polling station closes', 409),
  MEMBER_NOT_FOUND: defineError('ADMIN_ERR_MEMBER_NOT_FOUND', 'No member with this IIN', 404),
  NOT_ON_LIST: defineError('ADMIN_ERR_NOT_ON_LIST', 'This member is not on this station\'s list', 422),
  NOT_ELIGIBLE: defineError('ADMIN_ERR_NOT_ELIGIBLE', 'This member may not vote in this election', 422),
  /** Every contest of the member's place already has a ballot (online or paper): one ballot per contest across channels. */
  ALREADY_VOTED: defineError('ADMIN_ERR_ALREADY_VOTED', 'This member has already voted in contest %s', 409),
  CHECKIN_NOT_FOUND: defineError('ADMIN_ERR_CHECKIN_NOT_FOUND', 'No such check-in', 404),
  HANDED_OVER: defineError('ADMIN_ERR_HANDED_OVER', 'The ballot was handed over; the check-in can no longer be undone', 409),
  NOT_YOUR_CONTEST: defineError('ADMIN_ERR_NOT_YOUR_CONTEST', 'Contest %s is not voted at this station', 422),
  /** The protocol's control relations fail (details list each problem). */
  PROTOCOL_INVALID: defineError('ADMIN_ERR_PROTOCOL_INVALID', 'The protocol\'s figures do not add up', 422),
  /** Submission needs two entries by two different commission accounts that match. */
  ENTRIES_MISSING: defineError('ADMIN_ERR_ENTRIES_MISSING', 'Two commission members must each enter the protocol first', 409),
  ENTRIES_DIFFER: defineError('ADMIN_ERR_ENTRIES_DIFFER', 'The two entries of the protocol differ; check the paper and enter it again', 409),
  PROTOCOL_NOT_FOUND: defineError('ADMIN_ERR_PROTOCOL_NOT_FOUND', 'No such protocol', 404),
  /** Accepted protocols are final; a submitted one is accepted or returned; entries only before submission. */
  PROTOCOL_STATE: defineError('ADMIN_ERR_PROTOCOL_STATE', 'The protocol is %s: this cannot be done now', 409),
  /** An import file that is not a stations or station-list CSV, or has refused rows (details: line and reason). */
  IMPORT_INVALID: defineError('ADMIN_ERR_IMPORT_INVALID', 'The file was not imported: see the refused lines', 422),
  NO_ELECTION: defineError('ADMIN_ERR_NO_ELECTION', 'No election is set up', 409),
  SCAN_TYPE: defineError('ADMIN_ERR_SCAN_TYPE', 'A scan must be a PDF, JPEG or PNG file', 415),
  SCAN_TOO_LARGE: defineError('ADMIN_ERR_SCAN_TOO_LARGE', 'The scan is larger than %s MB', 413),
} as const;
