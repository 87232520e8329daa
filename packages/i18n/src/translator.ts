import { IntlMessageFormat, type PrimitiveType } from 'intl-messageformat';
import { CATALOGUES, type Catalogue, type MessageKey, isMessageKey } from './catalogues';
import { NUMBER_LOCALES } from './format';
import { LOCALES, type Lang } from './languages';

export type MessageValues = Record<string, PrimitiveType>;

/** Formats catalogue messages of one language (ICU MessageFormat: plurals, numbers, selects). */
export interface Translator {
  readonly lang: Lang;
  readonly locale: string;
  (key: MessageKey, values?: MessageValues): string;
}

/**
 * A translator for one language. Each message is parsed once, on first use. A message that
 * fails to format (a missing argument) answers its key, so a page never breaks on words.
 */
export function createTranslator(lang: Lang, catalogue: Catalogue = CATALOGUES[lang]): Translator {
  const locale = LOCALES[lang];
  const parsed = new Map<string, IntlMessageFormat>();
  // Digits in messages (`{n, number}`, plural `#`) as formatNumber writes them.
  const formatters = {
    getNumberFormat: (_locales: unknown, opts?: Intl.NumberFormatOptions) => new Intl.NumberFormat(NUMBER_LOCALES[lang], opts),
    getDateTimeFormat: (locales: string | string[], opts?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locales, opts),
    getPluralRules: (locales: string | string[], opts?: Intl.PluralRulesOptions) => new Intl.PluralRules(locales, opts),
  };
  const t = (key: MessageKey, values?: MessageValues): string => {
    let f = parsed.get(key);
    if (!f) {
      f = new IntlMessageFormat(catalogue[key], locale, undefined, { formatters });
      parsed.set(key, f);
    }
    try {
      return String(f.format(values));
    } catch {
      return key;
    }
  };
  return Object.assign(t, { lang, locale });
}

const translators = new Map<Lang, Translator>();

/** The shared translator of a language (one per process or page). */
export function translator(lang: Lang): Translator {
  let t = translators.get(lang);
  if (!t) translators.set(lang, (t = createTranslator(lang)));
  return t;
}

/**
 * An API error's message in a language: `errors.<CODE>`, else the shared wording of its
 * suffix (`errors.common.NOT_FOUND` for `ADMIN_ERR_NOT_FOUND`), else undefined. The error's
 * positional parameters fill `{0}`, `{1}`.
 */
export function errorMessage(lang: Lang, code: string, params: readonly unknown[] = []): string | undefined {
  const suffix = /^[A-Z]+_ERR_(.+)$/.exec(code)?.[1];
  const key = [`errors.${code}`, `errors.common.${suffix}`].find(isMessageKey);
  if (!key) return undefined;
  const values: MessageValues = {};
  params.forEach((p, i) => {
    values[String(i)] = typeof p === 'number' || typeof p === 'string' || typeof p === 'boolean' ? p : String(p);
  });
  return translator(lang)(key, values);
}
