import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceGrantStatements } from '@primaries/db';
import { hasKubectl, podTemplate, render, ROOT, workloads } from './manifests';

// docs/deploy.md against the code and the manifests: the GRANTs it shows are the ones
// `db grants` runs, and it tells how to create every Secret the manifests refer to.
const doc = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
const kubectl = hasKubectl();
if (!kubectl && process.env.CI) throw new Error('kubectl is not installed (.ci/run installs kubernetes-client)');

describe('docs/deploy.md', () => {
  it('shows the statements db grants runs', () => {
    const block = /```sql\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block?.trim().split('\n')).toEqual(serviceGrantStatements().map((s) => `${s};`));
  });

  (kubectl ? it : it.skip)('lists every Secret and key the production manifests refer to', () => {
    const objs = render('production');
    const table = doc.slice(doc.indexOf('## Secrets'), doc.indexOf('## Applying'));
    const refs = new Set<string>();
    for (const w of workloads(objs)) {
      const spec = podTemplate(w)!.spec;
      for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        for (const v of c.env ?? []) if (v.valueFrom?.secretKeyRef) refs.add(`${v.valueFrom.secretKeyRef.name} ${v.valueFrom.secretKeyRef.key}`);
      }
    }
    for (const o of objs) {
      const s = o.spec as { tls?: { secretName: string }[]; managed?: { roles?: { passwordSecret?: { name: string } }[] } } | undefined;
      for (const t of s?.tls ?? []) refs.add(`${t.secretName} tls.crt`);
      for (const r of s?.managed?.roles ?? []) if (r.passwordSecret) refs.add(`${r.passwordSecret.name} password`);
    }
    expect(refs.size).toBeGreaterThan(5);
    for (const ref of refs) {
      const [name, key] = ref.split(' ');
      const row = table.split('\n').find((l) => l.startsWith(`| \`${name}\``));
      expect({ ref, documented: Boolean(row?.includes(`\`${key}\``)) }).toEqual({ ref, documented: true });
    }
  });

  it('is linked from the README', () => {
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('(docs/deploy.md)');
  });
});
