import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceName, configKeys, schemas } from '@primaries/config';

const root = join(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// The one copy of each list (issue #10): settings in docs/configuration.md, codes in docs/api.md.
const pages: Record<string, string> = { Configuration: 'docs/configuration.md', 'Error codes': 'docs/api.md' };

/** The page's text from `# title` or `## title` to the next heading of that level. */
function section(title: string): string {
  const page = `\n${readFileSync(join(root, pages[title]!), 'utf8')}`;
  for (const level of ['#', '##']) {
    const start = page.indexOf(`\n${level} ${title}\n`);
    if (start === -1) continue;
    const next = page.indexOf(`\n${level} `, start + level.length + 2);
    return page.slice(start, next === -1 ? undefined : next);
  }
  throw new Error(`${pages[title]} has no "# ${title}" section`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'test') return [];
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return /\.(ts|js)$/.test(name) ? [p] : [];
  });
}

describe('README and docs', () => {
  it('documents every configuration variable the services read, and no other', () => {
    const table = section('Configuration');
    const documented = new Set([...table.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`/gm)].map((m) => m[1]!));
    const read = new Set((Object.keys(schemas) as ServiceName[]).flatMap((s) => configKeys(s)));
    expect([...read].filter((k) => !documented.has(k)).sort()).toEqual([]);
    expect([...documented].filter((k) => !read.has(k)).sort()).toEqual([]);
  });

  it('names, for each variable, the services that read it', () => {
    const table = section('Configuration');
    for (const service of Object.keys(schemas) as ServiceName[]) {
      for (const key of configKeys(service)) {
        const row = table.split('\n').find((l) => l.startsWith(`| \`${key}\``));
        expect({ key, service, row: row?.includes(service) }).toEqual({ key, service, row: true });
      }
    }
  });

  it('lists every error code the code can answer with, and no other', () => {
    const list = section('Error codes');
    const documented = new Set([...list.matchAll(/`([A-Z]+_ERR_[A-Z0-9_]+)`/g)].map((m) => m[1]!));
    const files = [...sourceFiles(join(root, 'services')), ...sourceFiles(join(root, 'packages'))];
    const used = new Set<string>();
    const prefixes = new Set<string>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/['"`]((?:GATEWAY|VOTE|RESULTS|WORKER|ADMIN)_ERR_[A-Z0-9_]+)['"`]/g)) used.add(m[1]!);
      for (const m of text.matchAll(/errorHandlerPlugin,\s*\{\s*prefix:\s*'([A-Z]+)'/g)) prefixes.add(m[1]!);
    }
    // Codes every service answers with through the shared error handler.
    for (const p of prefixes) for (const c of ['VALIDATION', 'NOT_FOUND', 'INTERNAL']) used.add(`${p}_ERR_${c}`);
    used.delete('TEST_ERR_TEAPOT');
    expect([...used].filter((c) => !documented.has(c)).sort()).toEqual([]);
    expect([...documented].filter((c) => !used.has(c) && !/^[A-Z]+_ERR_(RATE_LIMITED|UNAVAILABLE|PAYLOAD_TOO_LARGE|BAD_CONTENT_TYPE)$/.test(c)).sort()).toEqual([]);
  });

  it('gives the two quick-start commands', () => {
    expect(readme).toContain('pnpm install && pnpm start');
    expect(readme).toContain('pnpm test');
  });
});
