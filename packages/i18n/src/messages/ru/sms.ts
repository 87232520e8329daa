import type { sms as en } from '../en/sms';

export const sms: Record<keyof typeof en, string> = {
  'sms.code': 'Праймериз: код {code}. Никому его не сообщайте.',
  'sms.signInNotice': 'Праймериз: вход для голосования в {time}. Если это были не вы, звоните {hotline}.',
};
