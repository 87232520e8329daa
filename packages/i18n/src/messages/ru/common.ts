import type { common as en } from '../en/common';

export const common: Record<keyof typeof en, string> = {
  'common.lang.label': 'Язык',
  'common.lang.kk': 'Қазақша',
  'common.lang.ru': 'Русский',
  'common.lang.en': 'English',
  'common.skip': 'Перейти к содержанию',
  'common.loading': 'Загрузка…',
  'common.retryNow': 'Повторить сейчас',
  'common.waiting.title': 'Сейчас много желающих',
  'common.waiting.body': 'Сайтом сейчас пользуется очень много людей. Ничего не потеряно: мы сами повторим попытку через {seconds, plural, one {# секунду} few {# секунды} many {# секунд} other {# секунды}}.',
  'common.offline.title': 'Нет связи',
  'common.offline.body': 'Сервер недоступен. Проверьте подключение к интернету; мы повторим попытку сами.',
  'common.error.title': 'Что-то пошло не так',
  'common.error.body': 'Попробуйте ещё раз через минуту. Если ошибка повторяется, позвоните на горячую линию.',
  'common.serverTime': 'Время сервера: {time}',
  'common.download': 'Скачать',
  'common.download.csv': 'CSV',
  'common.download.json': 'JSON',
  'common.seconds': '{seconds} с',
  'common.percent': '{value, number, ::percent .0}',
};
