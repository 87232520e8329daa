import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Issue #10: the README is a newcomer's page (≤ 250 lines) and everything else lives once
 * in docs/. These checks keep it so: every relative link and every file a page names is in
 * the repository, every #anchor names a heading, and no paragraph is written twice.
 */
const root = join(__dirname, '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return markdownFiles(p);
    return name.endsWith('.md') ? [p] : [];
  });
}

const pages = [join(root, 'README.md'), ...markdownFiles(join(root, 'docs'))];
const text = new Map(pages.map((p) => [p, readFileSync(p, 'utf8')]));
const name = (p: string) => relative(root, p);

/** The page without its fenced code blocks (commands there name files of a run, not of the repository). */
function prose(page: string): string {
  return text.get(page)!.replace(/^```[\s\S]*?^```/gm, '');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchors(page: string): Set<string> {
  return new Set([...prose(page).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.trim())));
}

describe('README and docs', () => {
  it('keep the README within 250 lines', () => {
    expect(text.get(join(root, 'README.md'))!.split('\n').length).toBeLessThanOrEqual(250);
  });

  it('link only to files of the repository, and to headings that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const m of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
        const [file, anchor] = target.split('#') as [string, string | undefined];
        const path = file === '' ? page : resolve(dirname(page), decodeURIComponent(file));
        if (!existsSync(path)) broken.push(`${name(page)}: ${target}`);
        else if (anchor && path.endsWith('.md') && !anchors(path).has(anchor)) broken.push(`${name(page)}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('name no document or source file that is not in the repository', () => {
    const missing: string[] = [];
    const pathLike = /(?<![\w./-])((?:\.\.\/|\.ci\/)?(?:[\w.-]+\/)*[\w.-]+\.(?:md|ts|tsx|js|json|yaml|yml|conf|sql|csv))(?![\w/])/g;
    for (const page of pages) {
      for (const m of prose(page).matchAll(pathLike)) {
        const ref = m[1]!;
        // Only paths into the repository's own trees, and documents by name.
        if (!ref.endsWith('.md') && !/^(services|packages|infra|loadtest|test|e2e|docs|\.ci)\//.test(ref)) continue;
        if (ref.includes('*') || /^[\w-]+\.(ts|js)$/.test(ref)) continue;
        const found = [resolve(dirname(page), ref), resolve(root, ref)].some((p) => existsSync(p));
        if (!found) missing.push(`${name(page)}: ${ref}`);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it('write no paragraph twice', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const page of pages) {
      for (const para of prose(page).split(/\n\s*\n/)) {
        const key = para.replace(/\s+/g, ' ').trim();
        if (key.length < 160 || key.startsWith('|')) continue; // short lines and table rows may repeat
        const first = seen.get(key);
        if (first !== undefined && first !== page) twice.push(`${name(page)} repeats ${name(first)}: ${key.slice(0, 60)}…`);
        else seen.set(key, page);
      }
    }
    expect(twice).toEqual([]);
  });
});
