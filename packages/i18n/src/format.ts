import { CATALOGUES, type MessageKey } from './catalogues';
import { type Lang, LOCALES } from './languages';

/**
 * Kazakhstan's one time zone (UTC+5 since 2024): the election's clock, shown the same to
 * every voter and watcher whatever their device's zone, and in the sign-in SMS.
 */
export const ELECTION_TIME_ZONE = 'Asia/Almaty';

/**
 * The locale numbers are written in. Browsers ship little Kazakh data (Chromium writes
 * 1,234,567.5 and "2026 M12 3" for kk-KZ); Kazakh writes numbers as Russian does in
 * Kazakhstan (1 234 567,5), so kk borrows ru-KZ for digits. Dates in kk are put together
 * from the catalogue's month names below.
 */
export const NUMBER_LOCALES: Readonly<Record<Lang, string>> = { kk: 'ru-KZ', ru: 'ru-KZ', en: 'en-GB' };

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A number in the language's digits and grouping (Intl). */
export function formatNumber(lang: Lang, n: number, options: Intl.NumberFormatOptions = {}): string {
  const key = `${lang}|${JSON.stringify(options)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(NUMBER_LOCALES[lang], options)));
  return f.format(n);
}

/** A share (0.4123) as a percentage with one decimal: 41,2 % / 41.2%. */
export function formatPercent(lang: Lang, share: number): string {
  return formatNumber(lang, share, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function parts(date: Date, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute', string> {
  const out = { year: '', month: '', day: '', hour: '', minute: '' };
  const f = new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  for (const p of f.formatToParts(date)) if (p.type in out) out[p.type as keyof typeof out] = p.value;
  return out;
}

/** Hours and minutes, 24-hour (HH:MM), in the election's zone: the same in every language. */
export function formatTime(date: Date | string, timeZone = ELECTION_TIME_ZONE): string {
  const p = parts(new Date(date), timeZone);
  return `${p.hour}:${p.minute}`;
}

/** A date with the time ("3 December 2026, 14:00"), in the election's zone, per language. */
export function formatDateTime(lang: Lang, date: Date | string, { timeZone = ELECTION_TIME_ZONE, time = true } = {}): string {
  const d = new Date(date);
  if (lang !== 'kk') {
    const opts: Intl.DateTimeFormatOptions = { timeZone, day: 'numeric', month: 'long', year: 'numeric' };
    if (time) Object.assign(opts, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return new Intl.DateTimeFormat(LOCALES[lang], opts).format(d);
  }
  const p = parts(d, timeZone);
  const month = CATALOGUES.kk[`common.month.${Number(p.month)}` as MessageKey];
  return `${p.year} ж. ${Number(p.day)} ${month}${time ? `, ${p.hour}:${p.minute}` : ''}`;
}
