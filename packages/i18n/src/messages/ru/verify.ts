import type { verify as en } from '../en/verify';

/** Проверяемые итоги (задача #16): снимок итогов на странице квитанции, ошибки архива. */
export const verify: Record<keyof typeof en, string> = {
  'verify.receipt.counted': 'Учтён в снимке итогов № {snapshot}.',
  'verify.receipt.how.title': 'Проверьте сами',
  'verify.receipt.how.body':
    'После закрытия голосования сайт итогов публикует по каждой программе SHA-256 всех учтённых квитанций с номером снимка, в котором каждая учтена, отдельным файлом от бюллетеней: ни один файл не связывает квитанцию с выбором. Найдите там SHA-256 своей квитанции и проверьте подписанный подсчёт независимой программой: pnpm primaries verify --url {resultsUrl}',
  'verify.receipt.hash': 'SHA-256 вашей квитанции',
  'errors.RESULTS_ERR_ARCHIVE_NOT_READY': 'Открытый архив публикуется после закрытия голосования, когда все бюллетени выпущены в подсчёт',
  'errors.RESULTS_ERR_ARCHIVE_FILE_NOT_FOUND': 'В открытом архиве нет такого файла',
};
