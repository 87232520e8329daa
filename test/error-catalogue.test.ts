import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LANGUAGES, errorMessage } from '@primaries/i18n';

const root = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'test') return [];
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|js)$/.test(name) ? [p] : [];
  });
}

describe('error catalogue', () => {
  it('has words in every language for every error code the services answer with', () => {
    const texts = [...sourceFiles(join(root, 'services')), ...sourceFiles(join(root, 'packages'))].map((f) => readFileSync(f, 'utf8'));
    // Our services' prefixes: those that register the shared error handler.
    const prefixes = new Set(texts.flatMap((t) => [...t.matchAll(/errorHandlerPlugin,\s*\{\s*prefix:\s*'([A-Z]+)'/g)].map((m) => m[1]!)));
    const codes = new Set<string>();
    for (const t of texts) for (const m of t.matchAll(/['"`]([A-Z]+)_ERR_([A-Z0-9_]+)['"`]/g)) if (prefixes.has(m[1]!)) codes.add(`${m[1]}_ERR_${m[2]}`);
    for (const p of prefixes) for (const c of ['VALIDATION', 'NOT_FOUND', 'INTERNAL', 'RATE_LIMITED', 'UNAVAILABLE']) codes.add(`${p}_ERR_${c}`);
    expect(codes.size).toBeGreaterThan(20);
    const missing = [...codes].flatMap((code) => LANGUAGES.filter((lang) => !errorMessage(lang, code, [1, 2])).map((lang) => `${lang} ${code}`));
    expect(missing).toEqual([]);
  });
});
