import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceName } from '@primaries/config';
import { type K8sObject, type LabelSelector, ROOT, configMap, find, podTemplate, selects, workloads } from './manifests';

/**
 * What the issue asks of the platform around the services: autoscalers, disruption
 * budgets, the Ingress hosts, a role per database client, Postgres replicated with
 * synchronous commit, Redis durable and behind sentinels, a migration Job.
 */

type Env = Record<string, string>;
type Spec = Record<string, unknown>;
const spec = (o: K8sObject | undefined): Spec => (o?.spec ?? {});

function directives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [key, ...rest] = t.split(/\s+/);
    out.set(key!.toLowerCase(), rest.join(' '));
  }
  return out;
}

function checkScaling(objs: K8sObject[], problems: string[]): void {
  for (const name of ['gateway', 'vote', 'results']) {
    const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler' && (spec(o).scaleTargetRef as { name?: string } | undefined)?.name === name);
    if (!hpa) problems.push(`${name}: no HorizontalPodAutoscaler`);
    else if (Number(spec(hpa).minReplicas ?? 1) > Number(spec(hpa).maxReplicas)) problems.push(`${name}: HorizontalPodAutoscaler minReplicas above maxReplicas`);
  }
  for (const o of objs.filter((x) => x.kind === 'HorizontalPodAutoscaler')) {
    const ref = spec(o).scaleTargetRef as { kind: string; name: string };
    if (!find(objs, ref.kind, ref.name)) problems.push(`HorizontalPodAutoscaler/${o.metadata.name}: scales ${ref.kind}/${ref.name}, which does not exist`);
  }
  for (const w of workloads(objs).filter((x) => x.kind !== 'Job')) {
    const labels = podTemplate(w)!.labels;
    if (!objs.some((o) => o.kind === 'PodDisruptionBudget' && selects(spec(o).selector as LabelSelector, labels))) problems.push(`${w.kind}/${w.metadata.name}: no PodDisruptionBudget selects its pods`);
  }
  for (const s of objs.filter((o) => o.kind === 'Service')) {
    const sp = spec(s) as { selector?: Record<string, string>; ports?: { targetPort?: string | number; port: number }[] };
    const pods = workloads(objs).map((w) => podTemplate(w)!).filter((p) => selects({ matchLabels: sp.selector ?? {} }, p.labels));
    if (pods.length === 0) problems.push(`Service/${s.metadata.name}: selects no pods`);
    for (const p of sp.ports ?? []) {
      const target = p.targetPort ?? p.port;
      const ok = pods.some((pod) => pod.spec.containers.some((c) => c.ports?.some((cp) => cp.name === target || cp.containerPort === target)));
      if (pods.length && !ok) problems.push(`Service/${s.metadata.name}: targetPort ${target} is no port of its pods`);
    }
  }
}

function checkIngress(objs: K8sObject[], envs: Map<ServiceName, Env>, problems: string[]): void {
  const ingresses = objs.filter((o) => o.kind === 'Ingress');
  type Rule = { host?: string; http?: { paths: { backend: { service?: { name: string; port: { name?: string; number?: number } } } }[] } };
  const rules = ingresses.flatMap((i) => (spec(i).rules as Rule[] | undefined) ?? []);
  const gw = envs.get('gateway') ?? {};
  for (const variable of ['VOTE_HOST', 'RESULTS_HOST', 'ADMIN_HOST']) {
    const host = gw[variable];
    if (variable !== 'ADMIN_HOST' && !host) problems.push(`gateway: ${variable} is not set`);
    if (host && !rules.some((r) => r.host === host)) problems.push(`Ingress: no rule for ${variable} ${host}`);
  }
  if (rules.length < 3) problems.push(`Ingress: ${rules.length} hosts, not the three sites (vote, results, admin)`);
  for (const r of rules) {
    for (const p of r.http?.paths ?? []) {
      if (p.backend.service?.name !== 'gateway') problems.push(`Ingress: ${r.host} goes to ${p.backend.service?.name}, not the gateway (which picks the site by Host)`);
    }
  }
}

/** One database role per Postgres client, its password Secret the one its DATABASE_URL comes from. */
function checkDatabaseRoles(objs: K8sObject[], problems: string[]): void {
  const cluster = objs.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/'));
  const roles = ((spec(cluster).managed as { roles?: { name: string; passwordSecret?: { name: string } }[] } | undefined)?.roles ?? []);
  const used = new Map<string, string>();
  for (const w of workloads(objs).filter((x) => x.kind === 'Deployment')) {
    for (const c of podTemplate(w)!.spec.containers) {
      const ref = c.env?.find((v) => v.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
      if (!ref) continue;
      const other = used.get(ref.name);
      if (other) problems.push(`${w.metadata.name}: shares the database credentials ${ref.name} with ${other}`);
      used.set(ref.name, w.metadata.name);
      if (!roles.some((r) => r.passwordSecret?.name === ref.name)) problems.push(`${w.metadata.name}: DATABASE_URL from Secret ${ref.name}, which no managed role of the Postgres Cluster uses`);
    }
  }
}

function checkPostgres(objs: K8sObject[], production: boolean, problems: string[]): void {
  const cluster = objs.find((o) => o.kind === 'Cluster' && o.apiVersion.startsWith('postgresql.cnpg.io/'));
  if (!cluster) {
    problems.push('no CloudNativePG Cluster');
    return;
  }
  const pg = (spec(cluster).postgresql ?? {}) as { synchronous?: { number?: number }; parameters?: Record<string, string> };
  if (production) {
    if (Number(spec(cluster).instances) < 2) problems.push('Postgres: fewer than 2 instances (no replica)');
    if (!pg.synchronous || Number(pg.synchronous.number) < 1) problems.push('Postgres: no synchronous replica');
    if (pg.parameters?.synchronous_commit !== 'on') problems.push('Postgres: synchronous_commit is not on');
  }
  checkDatabaseRoles(objs, problems);
}

function checkRedis(objs: K8sObject[], envs: Map<ServiceName, Env>, problems: string[]): void {
  const sts = find(objs, 'StatefulSet', 'redis');
  const pod = sts && podTemplate(sts);
  if (!sts || !pod) {
    problems.push('no redis StatefulSet');
    return;
  }
  if (!pod.spec.containers.some((c) => c.name === 'sentinel')) problems.push('redis: no sentinel container');
  const conf = configMap(objs, 'redis-config')?.data?.['redis.conf'];
  if (!conf) problems.push('redis: no redis.conf in ConfigMap redis-config');
  else {
    const ours = directives(readFileSync(path.join(ROOT, 'infra/redis/redis.conf'), 'utf8'));
    const k8s = directives(conf);
    for (const key of ['appendonly', 'appendfsync', 'maxmemory-policy', 'auto-aof-rewrite-percentage', 'auto-aof-rewrite-min-size']) {
      if (k8s.get(key) !== ours.get(key)) problems.push(`redis: ${key} is ${k8s.get(key)} in Kubernetes but ${ours.get(key)} in infra/redis/redis.conf`);
    }
  }
  const replicas = Number(spec(sts).replicas ?? 1);
  const headless = String(spec(sts).serviceName);
  const masterName = pod.spec.containers[0]?.env?.find((v) => v.name === 'MASTER_NAME')?.valueFrom?.configMapKeyRef;
  for (const [service, env] of envs) {
    const sentinels = (env.REDIS_SENTINELS ?? '').split(',').filter(Boolean);
    if (sentinels.length === 0) problems.push(`${service}: REDIS_SENTINELS is not set (clients would not follow a failover)`);
    for (const s of sentinels) {
      const m = /^redis-(\d+)\.([^:]+):26379$/.exec(s.trim());
      if (!m || Number(m[1]) >= replicas || m[2] !== headless) problems.push(`${service}: sentinel ${s} is not a pod of the redis StatefulSet (${replicas} pods, service ${headless}, port 26379)`);
    }
    if (masterName && env.REDIS_SENTINEL_NAME !== configMap(objs, masterName.name)?.data?.[masterName.key]) problems.push(`${service}: REDIS_SENTINEL_NAME is not the name the sentinels monitor`);
  }
}

/** Every problem with autoscaling, budgets, Ingress, Postgres, Redis and the migration Job. */
export function checkPlatform(objs: K8sObject[], envs: Map<ServiceName, Env>, { production }: { production: boolean }): string[] {
  const problems: string[] = [];
  checkScaling(objs, problems);
  checkIngress(objs, envs, problems);
  checkPostgres(objs, production, problems);
  checkRedis(objs, envs, problems);
  if (!objs.some((o) => o.kind === 'Job' && podTemplate(o)!.spec.initContainers?.concat(podTemplate(o)!.spec.containers).some((c) => c.command?.includes('migrate') || c.command?.includes('--prepare-only')))) {
    problems.push('no migration Job');
  }
  return problems;
}
