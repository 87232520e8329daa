import type { Lang } from '@primaries/i18n';

/** A name in the page's language: the Kazakh spelling when the page is in Kazakh and one exists. */
export function local(lang: Lang, name: string, nameKk: string | null | undefined): string {
  return lang === 'kk' && nameKk ? nameKk : name;
}
