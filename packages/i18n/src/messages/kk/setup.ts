import type { setup as en } from '../en/setup';

/** Консольдегі сайлауды баптау және қабылдауды тоқтату (issue #13). */
export const setup: Record<keyof typeof en, string> = {
  'errors.ADMIN_ERR_ELECTION_NOT_FOUND': 'Мұндай сайлау жоқ',
  'errors.ADMIN_ERR_IMPORT_FILE_INVALID': 'Баптау файлын импорттау мүмкін емес: {0}',
  'errors.ADMIN_ERR_IMPORT_REJECTED': 'Қабылданбаған жолдар: {0}; ештеңе жазылмады',
  'errors.ADMIN_ERR_SETUP_LOCKED': 'Дауыс беру ашылды: баптауды енді өзгертуге болмайды',
  'errors.ADMIN_ERR_MEMBER_NOT_FOUND': 'Бұл ЖСН-мен партия мүшесі жоқ',
  'errors.ADMIN_ERR_FREEZE_CONTROL_ONLY': 'Мүшелікке қабылдау тоқтатылған ({0} – {1}): мүшенің мәртебесін тек партиялық бақылау комиссиясы өзгертеді',
  'common.audit.action.member.status_changed': 'Партия мүшесінің мәртебесі өзгертілді',
};
