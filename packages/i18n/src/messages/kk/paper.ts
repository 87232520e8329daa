import type { paper as en } from '../en/paper';

export const paper: Record<keyof typeof en, string> = {
  'errors.VOTE_ERR_PAPER_VOTER': 'Сіз өз сайлау учаскеңізде қағаз бюллетеньмен дауыс бересіз',
  'errors.ADMIN_ERR_OTHER_STATION': 'Бұл басқа сайлау учаскесіне қатысты',
  'errors.ADMIN_ERR_STATION_NOT_OPEN': 'Сайлау учаскесі қазір жабық',
  'errors.ADMIN_ERR_STATION_NOT_CLOSED': 'Хаттамалар учаске жабылғаннан кейін енгізіледі',
  'errors.ADMIN_ERR_MEMBER_NOT_FOUND': 'Бұл ЖСН-мен партия мүшесі жоқ',
  'errors.ADMIN_ERR_NOT_ON_LIST': 'Бұл партия мүшесі учаске тізімінде жоқ',
  'errors.ADMIN_ERR_NOT_ELIGIBLE': 'Бұл партия мүшесі осы сайлауда дауыс бере алмайды',
  'errors.ADMIN_ERR_ALREADY_VOTED': 'Бұл партия мүшесі {0} бағдарламасында дауыс беріп қойған',
  'errors.ADMIN_ERR_CHECKIN_NOT_FOUND': 'Мұндай белгі жоқ',
  'errors.ADMIN_ERR_HANDED_OVER': 'Бюллетень берілді; белгіні енді болдырмау мүмкін емес',
  'errors.ADMIN_ERR_NOT_YOUR_CONTEST': '{0} бағдарламасы бұл учаскеде дауысқа салынбайды',
  'errors.ADMIN_ERR_PROTOCOL_INVALID': 'Хаттаманың сандары сәйкес келмейді',
  'errors.ADMIN_ERR_ENTRIES_MISSING': 'Алдымен хаттаманы комиссияның екі мүшесі енгізуі керек',
  'errors.ADMIN_ERR_ENTRIES_DIFFER': 'Хаттаманың екі енгізуі сәйкес келмейді; қағазбен салыстырып, қайта енгізіңіз',
  'errors.ADMIN_ERR_PROTOCOL_NOT_FOUND': 'Мұндай хаттама жоқ',
  'errors.ADMIN_ERR_PROTOCOL_STATE': 'Хаттама «{0}» күйінде: мұны қазір істеу мүмкін емес',
  'errors.ADMIN_ERR_IMPORT_INVALID': 'Файл импортталмады: қабылданбаған жолдарды қараңыз',
  'errors.ADMIN_ERR_NO_ELECTION': 'Сайлау бапталмаған',
  'errors.ADMIN_ERR_SCAN_TYPE': 'Скан PDF, JPEG немесе PNG файлы болуы керек',
  'errors.ADMIN_ERR_SCAN_TOO_LARGE': 'Скан {0} МБ-тан үлкен',
};
