import type { paper as en } from '../en/paper';

export const paper: Record<keyof typeof en, string> = {
  'errors.VOTE_ERR_PAPER_VOTER': 'Вы голосуете бумажным бюллетенем на своём избирательном участке',
  'errors.ADMIN_ERR_OTHER_STATION': 'Это относится к другому избирательному участку',
  'errors.ADMIN_ERR_STATION_NOT_OPEN': 'Избирательный участок сейчас закрыт',
  'errors.ADMIN_ERR_STATION_NOT_CLOSED': 'Протоколы вводятся после закрытия участка',
  'errors.ADMIN_ERR_MEMBER_NOT_FOUND': 'Члена партии с таким ИИН нет',
  'errors.ADMIN_ERR_NOT_ON_LIST': 'Этого члена партии нет в списке участка',
  'errors.ADMIN_ERR_NOT_ELIGIBLE': 'Этот член партии не может голосовать на этих выборах',
  'errors.ADMIN_ERR_ALREADY_VOTED': 'Этот член партии уже проголосовал в программе {0}',
  'errors.ADMIN_ERR_CHECKIN_NOT_FOUND': 'Такой отметки нет',
  'errors.ADMIN_ERR_HANDED_OVER': 'Бюллетень выдан; отметку уже нельзя отменить',
  'errors.ADMIN_ERR_NOT_YOUR_CONTEST': 'Программа {0} не голосуется на этом участке',
  'errors.ADMIN_ERR_PROTOCOL_INVALID': 'Цифры протокола не сходятся',
  'errors.ADMIN_ERR_ENTRIES_MISSING': 'Протокол должны сначала ввести два члена комиссии',
  'errors.ADMIN_ERR_ENTRIES_DIFFER': 'Два ввода протокола расходятся; сверьте с бумагой и введите снова',
  'errors.ADMIN_ERR_PROTOCOL_NOT_FOUND': 'Такого протокола нет',
  'errors.ADMIN_ERR_PROTOCOL_STATE': 'Протокол в состоянии «{0}»: сейчас это сделать нельзя',
  'errors.ADMIN_ERR_IMPORT_INVALID': 'Файл не импортирован: см. отклонённые строки',
  'errors.ADMIN_ERR_NO_ELECTION': 'Выборы не настроены',
  'errors.ADMIN_ERR_SCAN_TYPE': 'Скан должен быть файлом PDF, JPEG или PNG',
  'errors.ADMIN_ERR_SCAN_TOO_LARGE': 'Скан больше {0} МБ',
};
