import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type AnySchema } from 'ajv';
import { K8S_DIR, type K8sObject } from './manifests';

/** Custom resources validated against vendored CRD schemas (infra/k8s/schemas/README.md). */
const CRDS: Record<string, string> = {
  'postgresql.cnpg.io/v1 Cluster': 'cnpg-cluster-v1.json',
};

/**
 * A structural schema as the API server applies it: fields it does not declare are
 * pruned (dropped without a word), so here they are errors. `x-kubernetes-*` keywords
 * are the server's own and ignored.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) if (!k.startsWith('x-kubernetes-')) out[k] = strict(v);
  const s = schema as Record<string, unknown>;
  if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map(Object.entries(CRDS).map(([key, file]) => {
  const vendored = JSON.parse(readFileSync(path.join(K8S_DIR, 'schemas', file), 'utf8')) as { schema: unknown };
  return [key, ajv.compile(strict(vendored.schema) as AnySchema)];
}));

/** Every schema problem of the objects: built-in kinds through kubernetes-models, custom ones against their CRD. */
export function validateSchemas(objs: K8sObject[]): string[] {
  const problems: string[] = [];
  const builtin: K8sObject[] = [];
  for (const o of objs) {
    const validate = validators.get(`${o.apiVersion} ${o.kind}`);
    if (!validate) {
      builtin.push(o);
      continue;
    }
    if (!validate(o)) {
      for (const e of validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
        problems.push(`${o.kind}/${o.metadata.name}: ${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`);
      }
    }
  }
  const script = path.join(__dirname, 'validate-models.mts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { input: JSON.stringify(builtin), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`validate-models.mts failed: ${r.stderr}`);
  return [...problems, ...(JSON.parse(r.stdout) as string[])];
}
