import type { common as en } from '../en/common';

export const common: Record<keyof typeof en, string> = {
  'common.lang.label': 'Тіл',
  'common.lang.kk': 'Қазақша',
  'common.lang.ru': 'Русский',
  'common.lang.en': 'English',
  'common.skip': 'Мазмұнға өту',
  'common.loading': 'Жүктелуде…',
  'common.retryNow': 'Қазір қайталау',
  'common.waiting.title': 'Қазір кезек көп',
  'common.waiting.body': 'Сайтты қазір өте көп адам пайдаланып жатыр. Ештеңе жоғалған жоқ: {seconds} секундтан соң өзіміз қайталаймыз.',
  'common.offline.title': 'Байланыс жоқ',
  'common.offline.body': 'Серверге қосыла алмадық. Интернет байланысын тексеріңіз; өзіміз қайта тырысамыз.',
  'common.error.title': 'Бірдеңе дұрыс болмады',
  'common.error.body': 'Сәлден соң қайталап көріңіз. Қате қайталана берсе, сенім телефонына қоңырау шалыңыз.',
  'common.serverTime': 'Сервер уақыты: {time}',
  'common.download': 'Жүктеп алу',
  'common.download.csv': 'CSV',
  'common.download.json': 'JSON',
  'common.seconds': '{seconds} с',
  'common.percent': '{value, number, ::percent .0}',
};
