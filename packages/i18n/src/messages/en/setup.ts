/** The election's setup and the membership freeze in the console (issue #13): every word, and their API errors. */
export const setup = {
  'errors.ADMIN_ERR_ELECTION_NOT_FOUND': 'No such election',
  'errors.ADMIN_ERR_IMPORT_FILE_INVALID': 'A setup file cannot be imported: {0}',
  'errors.ADMIN_ERR_IMPORT_REJECTED': '{0} line(s) refused; nothing was written',
  'errors.ADMIN_ERR_SETUP_LOCKED': 'The voting window has opened: the setup can no longer be changed',
  'errors.ADMIN_ERR_MEMBER_NOT_FOUND': 'No member with this IIN',
  'errors.ADMIN_ERR_FREEZE_CONTROL_ONLY': 'The membership freeze runs ({0} to {1}): only the control committee may change a member\'s status',
  'common.audit.action.member.status_changed': 'Member status changed',
};
