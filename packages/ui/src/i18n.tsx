import { type ComponentChildren, createContext } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { LANGUAGES, type Lang, type Translator, formatDateTime, formatNumber, formatPercent, isLang, pickLanguage, translator } from '@primaries/i18n';

/** Where the chosen language is remembered, shared by every site of one host. */
export const LANG_STORAGE_KEY = 'primaries.lang';

function stored(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null; // Storage refused (private mode, a policy): the choice lasts the visit.
  }
}

/** The language to start in: `?lang=`, then the remembered choice, then the browser's, then Kazakh. */
export function initialLanguage(): Lang {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (isLang(fromUrl)) return fromUrl;
  const remembered = stored();
  if (isLang(remembered)) return remembered;
  return pickLanguage(navigator.languages ?? [navigator.language]);
}

export interface I18n {
  lang: Lang;
  t: Translator;
  // Function-typed properties, not methods: pages destructure them (`const { t, number } = useI18n()`).
  setLang: (lang: Lang) => void;
  number: (n: number, options?: Intl.NumberFormatOptions) => string;
  percent: (share: number) => string;
  dateTime: (date: Date | string, options?: { time?: boolean }) => string;
}

const I18nContext = createContext<I18n | null>(null);

/** Gives the page its language: remembered, set on `<html lang>`, and the page title from a key. */
export function I18nProvider({ children, title }: { children: ComponentChildren; title?: Parameters<Translator>[0] }) {
  const [lang, setLangState] = useState<Lang>(initialLanguage);
  const value = useMemo<I18n>(
    () => ({
      lang,
      t: translator(lang),
      setLang(next) {
        try {
          localStorage.setItem(LANG_STORAGE_KEY, next);
        } catch {
          // Not remembered; still switched.
        }
        setLangState(next);
      },
      number: (n, options) => formatNumber(lang, n, options),
      percent: (share) => formatPercent(lang, share),
      dateTime: (date, options) => formatDateTime(lang, date, options),
    }),
    [lang],
  );
  useEffect(() => {
    document.documentElement.lang = lang;
    if (title) document.title = value.t(title);
  }, [lang, title, value]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The page's language, translator and formats. */
export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error('useI18n outside I18nProvider');
  return i18n;
}

/** Three buttons, each in its own language (so a screen reader says them right), the current one pressed. */
export function LangSwitch() {
  const { lang, t, setLang } = useI18n();
  return (
    <div class="lang-switch" role="group" aria-label={t('common.lang.label')}>
      {LANGUAGES.map((l) => (
        <button type="button" key={l} lang={l} data-lang={l} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {t(`common.lang.${l}`)}
        </button>
      ))}
    </div>
  );
}
