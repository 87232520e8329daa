// Validates Kubernetes objects with the kubernetes-models package. It ships only as ES
// modules, which jest's CommonJS runtime cannot load, so validate-schemas.ts runs this
// file in a node process of its own: JSON array of objects on stdin, JSON array of
// problems (one string each) on stdout.
import * as models from 'kubernetes-models';

type ModelClass = new (data: unknown) => { validate(): void };

/** `apps/v1` → models.apps.v1, `networking.k8s.io/v1` → models.networkingK8sIo.v1, `v1` → models.v1. */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const key = group ? group.replace(/\.([a-z])/g, (_m, c: string) => c.toUpperCase()) : '';
  const tree = models as unknown as Record<string, Record<string, Record<string, ModelClass>>>;
  const byVersion = key ? tree[key]?.[version!] : (tree as unknown as Record<string, Record<string, ModelClass>>)[version!];
  return byVersion?.[kind];
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const objects = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { apiVersion: string; kind: string; metadata?: { name?: string } }[];
const problems: string[] = [];
for (const o of objects) {
  const label = `${o.kind}/${o.metadata?.name ?? '?'}`;
  const Model = modelFor(o.apiVersion, o.kind);
  if (!Model) {
    problems.push(`${label}: no Kubernetes schema for ${o.apiVersion} ${o.kind}`);
    continue;
  }
  try {
    new Model(o).validate();
  } catch (err) {
    problems.push(`${label}: ${(err as Error).message}`);
  }
}
process.stdout.write(JSON.stringify(problems));
