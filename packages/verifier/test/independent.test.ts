import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

// Issue #16: the verifier must be auditable on its own, so it depends on no service and no
// other workspace package: only node's own modules and one JCS (RFC 8785) library.
const ROOT = path.join(__dirname, '..');

it('depends on nothing of the project', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  expect(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })).toEqual(['canonicalize']);
  const imports = readdirSync(path.join(ROOT, 'src')).flatMap((f) => [...readFileSync(path.join(ROOT, 'src', f), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!));
  expect(imports.filter((i) => !i.startsWith('node:') && !i.startsWith('./') && i !== 'canonicalize')).toEqual([]);
});
