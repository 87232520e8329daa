import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// Issue #10: every workspace package says what it exports, nobody reaches into another
// package's files, and the workspace dependency graph has no cycle.

const ROOT = path.join(__dirname, '..');
const WORKSPACES = ['packages', 'services'].flatMap((d) => readdirSync(path.join(ROOT, d)).map((n) => path.join(d, n)));

interface Manifest {
  name: string;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifests = new Map<string, Manifest>(WORKSPACES.map((dir) => [dir, JSON.parse(readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as Manifest]));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    if (statSync(full).isDirectory()) return sources(full);
    return /\.(ts|tsx|js)$/.test(name) ? [full] : [];
  });
}

describe('package boundaries', () => {
  it('every package and service declares `exports`, and each entry exists', () => {
    for (const [dir, m] of manifests) {
      expect({ dir, exports: m.exports !== undefined }).toEqual({ dir, exports: true });
      for (const target of Object.values(m.exports ?? {})) {
        expect({ dir, target, exists: statSync(path.join(ROOT, dir, target), { throwIfNoEntry: false })?.isFile() ?? false }).toEqual({ dir, target, exists: true });
      }
    }
  });

  it('no file imports another package through its src/ or a relative path into it', () => {
    const offenders: string[] = [];
    const roots = ['packages', 'services', 'loadtest', 'faults', 'e2e', 'test'].map((d) => path.join(ROOT, d));
    for (const file of roots.flatMap(sources)) {
      const own = path.relative(ROOT, file).split(path.sep).slice(0, ['packages', 'services'].includes(path.relative(ROOT, file).split(path.sep)[0]!) ? 2 : 1).join('/');
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from\s+|import\(|require\()\s*'([^']+)'/g)) {
        const spec = m[1]!;
        if (/^@primaries\/[^/]+\/src(\/|$)/.test(spec)) offenders.push(`${path.relative(ROOT, file)} → ${spec}`);
        if (spec.startsWith('.')) {
          const target = path.relative(ROOT, path.resolve(path.dirname(file), spec)).split(path.sep);
          const targetOwn = target.slice(0, ['packages', 'services'].includes(target[0]!) ? 2 : 1).join('/');
          if (targetOwn !== own && ['packages', 'services'].includes(target[0]!)) offenders.push(`${path.relative(ROOT, file)} → ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the workspace dependency graph (dependencies and devDependencies) has no cycle', () => {
    const byName = new Map([...manifests.values()].map((m) => [m.name, m]));
    const edges = (m: Manifest) => Object.keys({ ...m.dependencies, ...m.devDependencies }).filter((d) => byName.has(d));
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (name: string, trail: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') return void cycles.push([...trail.slice(trail.indexOf(name)), name].join(' → '));
      state.set(name, 'visiting');
      for (const d of edges(byName.get(name)!)) visit(d, [...trail, name]);
      state.set(name, 'done');
    };
    for (const name of byName.keys()) visit(name, []);
    expect(cycles).toEqual([]);
  });
});
