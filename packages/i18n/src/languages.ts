/** The interface languages, in the order the language switch shows them. */
export const LANGUAGES = ['kk', 'ru', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];

/** True for one of LANGUAGES. */
export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The locale each language formats numbers, dates and plurals with (Intl). Kazakhstan's
 * conventions for all three: a Russian reader in Almaty writes 12 345,6 as a Kazakh one does.
 */
export const LOCALES: Readonly<Record<Lang, string>> = { kk: 'kk-KZ', ru: 'ru-KZ', en: 'en-GB' };

/** The first supported language among BCP 47 tags in order of preference (navigator.languages). */
export function pickLanguage(tags: readonly string[], fallback: Lang = 'kk'): Lang {
  for (const tag of tags) {
    const primary = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (isLang(primary)) return primary;
  }
  return fallback;
}
