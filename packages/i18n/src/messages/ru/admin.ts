import type { admin as en } from '../en/admin';

export const admin: Record<keyof typeof en, string> = {
  'errors.ADMIN_ERR_UNAUTHENTICATED': 'Сначала войдите',
  'errors.ADMIN_ERR_FORBIDDEN': 'Вашей роли это не разрешено',
  'errors.ADMIN_ERR_CSRF': 'Форма устарела; обновите страницу и попробуйте снова',
  'errors.ADMIN_ERR_SIGNIN_FAILED': 'Неверный логин, пароль или одноразовый код',
  'errors.ADMIN_ERR_TOTP_REPLAYED': 'Этот одноразовый код уже использован; дождитесь следующего',
  'errors.ADMIN_ERR_LOCKED': 'Слишком много неудачных входов; учётная запись временно заблокирована',
  'errors.ADMIN_ERR_ENROLMENT_INVALID': 'Ссылка для регистрации недействительна (использована, истекла или неизвестна); попросите у организатора новую',
  'errors.ADMIN_ERR_WEAK_PASSWORD': 'Пароль слишком слабый: не менее 12 символов, которые трудно угадать',
  'errors.ADMIN_ERR_TOTP_INVALID': 'Одноразовый код неверен; проверьте часы в приложении-аутентификаторе',
  'errors.ADMIN_ERR_STAFF_NOT_FOUND': 'Такой учётной записи нет',
  'errors.ADMIN_ERR_LOGIN_TAKEN': 'Этот логин занят',
  'errors.ADMIN_ERR_STATION_REQUIRED': 'Учётной записи участковой комиссии нужен избирательный участок, и только ей',
  'errors.ADMIN_ERR_UNKNOWN_STATION': 'Такого избирательного участка нет',
  'errors.ADMIN_ERR_LAST_ORGANIZER': 'Последнего организатора нельзя отключить',
};
