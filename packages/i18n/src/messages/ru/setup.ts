import type { setup as en } from '../en/setup';

/** Настройка выборов и заморозка приёма в консоли (issue #13). */
export const setup: Record<keyof typeof en, string> = {
  'errors.ADMIN_ERR_ELECTION_NOT_FOUND': 'Таких выборов нет',
  'errors.ADMIN_ERR_IMPORT_FILE_INVALID': 'Файл настройки нельзя импортировать: {0}',
  'errors.ADMIN_ERR_IMPORT_REJECTED': 'Отклонено строк: {0}; ничего не записано',
  'errors.ADMIN_ERR_SETUP_LOCKED': 'Голосование открыто: настройку больше нельзя менять',
  'errors.ADMIN_ERR_MEMBER_NOT_FOUND': 'Члена партии с этим ИИН нет',
  'errors.ADMIN_ERR_FREEZE_CONTROL_ONLY': 'Идёт заморозка приёма ({0} – {1}): статус члена партии меняет только комиссия партийного контроля',
  'common.audit.action.member.status_changed': 'Изменён статус члена партии',
};
