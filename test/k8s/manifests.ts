import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The rendered objects, loosely typed: the checks read what they need and report what is missing. */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}
export interface Probe {
  httpGet?: { path?: string; port: number | string; httpHeaders?: { name: string; value: string }[] };
  exec?: { command: string[] };
  timeoutSeconds?: number;
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  enableServiceLinks?: boolean;
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // Every kind has its own spec; the checks narrow it where they read it.
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

export const ROOT = path.resolve(__dirname, '..', '..');
export const K8S_DIR = path.join(ROOT, 'infra', 'k8s');
export const OVERLAYS = ['dev', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

/** `kubectl kustomize <overlay>`, parsed: what `kubectl apply -k` would send. */
export function render(overlay: string): K8sObject[] {
  const dir = path.isAbsolute(overlay) ? overlay : path.join(K8S_DIR, 'overlays', overlay);
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr || r.error?.message}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as K8sObject).filter(Boolean);
}

/** A deep copy to break in a test. */
export function copy(objs: K8sObject[]): K8sObject[] {
  return structuredClone(objs);
}

export function find(objs: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objs.find((o) => o.kind === kind && o.metadata.name === name);
}

/** The pod template of a workload (Deployment, StatefulSet, Job), if it is one. */
export function podTemplate(o: K8sObject): { labels: Record<string, string>; spec: PodSpec } | undefined {
  if (!['Deployment', 'StatefulSet', 'Job'].includes(o.kind)) return undefined;
  const t = o.spec?.template as { metadata?: { labels?: Record<string, string> }; spec: PodSpec } | undefined;
  return t ? { labels: t.metadata?.labels ?? {}, spec: t.spec } : undefined;
}

export function workloads(objs: K8sObject[]): K8sObject[] {
  return objs.filter((o) => podTemplate(o));
}

/** A ConfigMap by the name a reference uses (kustomize appends a hash to generated names). */
export function configMap(objs: K8sObject[], name: string): K8sObject | undefined {
  return objs.find((o) => o.kind === 'ConfigMap' && (o.metadata.name === name || o.metadata.name.replace(/-[a-z0-9]{10}$/, '') === name));
}

/** Whether labels satisfy a Kubernetes label selector (matchLabels and matchExpressions). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const ok = e.operator === 'In' ? has && (e.values ?? []).includes(value!)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(value!)
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}
