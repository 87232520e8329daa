import type { setup as en } from '../en/setup';

/** Консольдегі сайлауды баптау және қабылдауды тоқтату (issue #13). */
export const setup: Record<keyof typeof en, string> = {
  'errors.ADMIN_ERR_ELECTION_NOT_FOUND': 'Мұндай сайлау жоқ',
  'errors.ADMIN_ERR_IMPORT_FILE_INVALID': 'Баптау файлын импорттау мүмкін емес: {0}',
  'errors.ADMIN_ERR_IMPORT_REJECTED': 'Қабылданбаған жолдар: {0}; ештеңе жазылмады',
  'errors.ADMIN_ERR_SETUP_LOCKED': 'Дауыс беру ашылды: баптауды енді өзгертуге болмайды',
};
