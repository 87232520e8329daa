import { IntlMessageFormat } from 'intl-messageformat';
import { CATALOGUES, LANGUAGES, LOCALES, createTranslator, errorMessage, formatDateTime, formatNumber, formatTime, pickLanguage } from '../src';

type Ast = ReturnType<IntlMessageFormat['getAst']>;

/** Argument names a message uses, at any depth (plural and select branches included). */
function argumentsOf(ast: Ast, out = new Set<string>()): Set<string> {
  for (const el of ast) {
    if ('value' in el && typeof el.value === 'string' && Number(el.type) !== 0 /* TYPE.literal: plain text, no argument */) out.add(el.value);
    if ('options' in el) for (const o of Object.values(el.options)) argumentsOf(o.value, out);
    if ('children' in el) argumentsOf(el.children, out);
  }
  return out;
}

describe('message catalogues', () => {
  const reference = Object.keys(CATALOGUES.en).sort();

  it.each(LANGUAGES)('%s has exactly the keys of the others', (lang) => {
    const keys = Object.keys(CATALOGUES[lang]).sort();
    expect(reference.filter((k) => !keys.includes(k))).toEqual([]);
    expect(keys.filter((k) => !reference.includes(k))).toEqual([]);
  });

  it.each(LANGUAGES)('%s: every message is valid ICU, non-empty, with the same arguments as English', (lang) => {
    const problems: string[] = [];
    for (const key of reference) {
      const text = CATALOGUES[lang][key as keyof typeof CATALOGUES.en];
      if (!text?.trim()) {
        problems.push(`${key}: empty`);
        continue;
      }
      try {
        const mine = [...argumentsOf(new IntlMessageFormat(text, LOCALES[lang]).getAst())].sort();
        const theirs = [...argumentsOf(new IntlMessageFormat(CATALOGUES.en[key as keyof typeof CATALOGUES.en], 'en').getAst())].sort();
        if (mine.join() !== theirs.join()) problems.push(`${key}: arguments ${mine.join()} vs English ${theirs.join()}`);
      } catch (err) {
        problems.push(`${key}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('formats plurals per language (Russian has few and many)', () => {
    const ru = createTranslator('ru');
    expect(ru('vote.ballot.left', { left: 1 })).toBe('Осталась 1 отметка');
    expect(ru('vote.ballot.left', { left: 3 })).toBe('Осталось 3 отметки');
    expect(ru('vote.ballot.left', { left: 5 })).toBe('Осталось 5 отметок');
    expect(ru('vote.ballot.left', { left: 0 })).toBe('Отметок не осталось');
    expect(createTranslator('en')('vote.ballot.left', { left: 2 })).toBe('2 marks left');
    expect(createTranslator('kk')('vote.ballot.left', { left: 2 })).toBe('2 белгі қалды');
  });

  it('answers the key instead of throwing when an argument is missing', () => {
    expect(createTranslator('en')('vote.ballot.left')).toBe('vote.ballot.left');
  });
});

describe('error messages', () => {
  it('fills positional parameters and falls back to the shared wording of the suffix', () => {
    expect(errorMessage('ru', 'VOTE_ERR_CODE_INVALID', [3])).toBe('Неверный код; осталось попыток: 3');
    expect(errorMessage('kk', 'ADMIN_ERR_NOT_FOUND')).toBe('Табылмады');
    expect(errorMessage('en', 'VOTE_ERR_TOO_MANY_MARKS', [12, 2])).toBe('Contest 12 allows at most 2 marks');
    expect(errorMessage('en', 'NOT_A_CODE')).toBeUndefined();
  });
});

describe('pickLanguage', () => {
  it('takes the first supported primary subtag, else the fallback', () => {
    expect(pickLanguage(['de-DE', 'ru-RU', 'kk'])).toBe('ru');
    expect(pickLanguage(['EN_us'])).toBe('en');
    expect(pickLanguage(['fr'], 'ru')).toBe('ru');
    expect(pickLanguage([])).toBe('kk');
  });
});

describe('formats', () => {
  const at = new Date('2026-10-01T09:05:00Z'); // 14:05 in Kazakhstan
  it('writes dates per language in the election time zone, Kazakh from the catalogue', () => {
    expect(formatDateTime('kk', at)).toBe('2026 ж. 1 қазан, 14:05');
    expect(formatDateTime('ru', at)).toMatch(/^1 октября 2026 г\.(,| в) 14:05$/);
    expect(formatDateTime('en', at)).toMatch(/^1 October 2026(,| at) 14:05$/);
    expect(formatDateTime('kk', at, { time: false })).toBe('2026 ж. 1 қазан');
    expect(formatTime(at)).toBe('14:05');
  });
  it('writes numbers with Kazakhstan grouping in kk and ru', () => {
    expect(formatNumber('kk', 662687)).toBe('662\u00a0687');
    expect(formatNumber('ru', 1234.5)).toBe('1\u00a0234,5');
    expect(formatNumber('en', 662687)).toBe('662,687');
    expect(createTranslator('kk')('vote.ballot.left', { left: 1200 })).toBe('1\u00a0200 белгі қалды');
  });
});
