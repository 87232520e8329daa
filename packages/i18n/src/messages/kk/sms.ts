import type { sms as en } from '../en/sms';

export const sms: Record<keyof typeof en, string> = {
  'sms.code': 'Праймериз коды: {code}. Ешкімге айтпаңыз.',
  'sms.signInNotice': 'Праймериз: {time} дауыс беруге кіру жасалды. Бұл сіз болмасаңыз, {hotline} нөміріне хабарласыңыз.',
};
