import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

function files(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(p).isDirectory()) return files(p, ext);
    return ext.test(name) ? [p] : [];
  });
}

const webDirs = [join(root, 'packages/ui/src'), ...readdirSync(join(root, 'services')).map((s) => join(root, 'services', s, 'web'))];
const withoutComments = (s: string) => s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/<!--[\s\S]*?-->/g, '');
const LETTER = /\p{L}/u;

describe('no interface words outside the message catalogues', () => {
  it('JSX has no literal text and no literal labels', () => {
    const found: string[] = [];
    for (const f of webDirs.flatMap((d) => files(d, /\.tsx$/))) {
      const src = withoutComments(readFileSync(f, 'utf8'));
      // Text between tags that is not an {expression} (skipping arrows and type arguments: code, not text).
      for (const m of src.matchAll(/(?<![=-])>([^<>{}]*)</g)) if (LETTER.test(m[1]!) && !/[;=(]|&&|\|\|| \? | : /.test(m[1]!)) found.push(`${f}: text "${m[1]!.trim()}"`);
      // Attributes a person reads or hears.
      for (const m of src.matchAll(/\b(aria-label|title|placeholder|alt|aria-description)="([^"]*)"/g)) if (LETTER.test(m[2]!) && !/^[a-z]+(\.\w+)+$/.test(m[2]!)) found.push(`${f}: ${m[1]}="${m[2]}"`);
    }
    expect(found).toEqual([]);
  });

  it('page templates carry words only as {{t:key}}', () => {
    const found: string[] = [];
    for (const f of webDirs.flatMap((d) => files(d, /\.html$/))) {
      const src = withoutComments(readFileSync(f, 'utf8')).replace(/\{\{t\*?:[\w.]+\}\}/g, '');
      for (const m of src.matchAll(/>([^<>]*)</g)) if (LETTER.test(m[1]!)) found.push(`${f}: "${m[1]!.trim()}"`);
    }
    expect(found).toEqual([]);
  });
});
