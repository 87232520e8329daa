import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type ServiceName, configKeys, loadConfig } from '@primaries/config';
import { SERVICES } from '@primaries/cli/stack';
import { type Container, type K8sObject, type Probe, ROOT, configMap, podTemplate, selects, workloads } from './manifests';

/**
 * The services' containers against the code, as packages/cli/test/compose.test.ts holds
 * docker-compose.yml to it: entry files, every env name in the service's config schema,
 * a configuration that loads, ports, probes on the paths the service serves.
 */

type Env = Record<string, string>;

/** Variables the migration Job's commands read (`db migrate`, `db grants`, `start --prepare-only`). */
const MIGRATE_KEYS = ['NODE_ENV', 'LOG_LEVEL', 'DATABASE_URL'];
const MIGRATE_COMMANDS = [['packages/cli/src/main.ts', 'db', 'migrate'], ['packages/cli/src/main.ts', 'db', 'grants'], ['packages/cli/src/start.ts', '--prepare-only']];
const PORT_VAR: Record<ServiceName, string> = { gateway: 'GATEWAY_PORT', vote: 'VOTE_PORT', results: 'RESULTS_PORT', worker: 'WORKER_PORT', admin: 'ADMIN_PORT' };
const BIND_VAR: Record<ServiceName, string> = { gateway: 'GATEWAY_BIND', vote: 'VOTE_BIND', results: 'RESULTS_BIND', worker: 'WORKER_BIND', admin: 'ADMIN_BIND' };

/** The probe paths of a service: liveness on its health path, readiness on the matching /ready. */
export function probePaths(service: ServiceName): { health: string; ready: string } {
  const health = SERVICES.find((s) => s.name === service)!.healthPath;
  return { health, ready: health.replace(/health$/, 'ready') };
}

const isPrimaries = (c: Container) => /^primaries(:|@|$)/.test(c.image?.split('/').pop() ?? '');

/** `node --import tsx <file> args…` → [file, ...args]; undefined for anything else. */
function entryOf(c: Container): string[] | undefined {
  const cmd = [...(c.command ?? []), ...(c.args ?? [])];
  if (cmd[0] !== 'node' || cmd[1] !== '--import' || cmd[2] !== 'tsx') return undefined;
  return cmd.slice(3);
}

/** A stand-in Ed25519 key (PKCS #8 DER, base64) for RESULTS_SIGNING_KEY: a key of the right shape, never a real one. */
const STANDIN_SIGNING_KEY = 'MC4CAQAwBQYDK2VwBCIEIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** A container's environment as the process sees it: literals, ConfigMap keys, and stand-ins for Secret keys. */
export function containerEnv(objs: K8sObject[], owner: string, c: Container, problems: string[]): Env {
  const env: Env = {};
  for (const v of c.env ?? []) {
    const cm = v.valueFrom?.configMapKeyRef;
    const secret = v.valueFrom?.secretKeyRef;
    if (v.value !== undefined) env[v.name] = v.value;
    else if (cm) {
      const value = configMap(objs, cm.name)?.data?.[cm.key];
      if (value === undefined && !cm.optional) problems.push(`${owner}: ${v.name} refers to ConfigMap ${cm.name} key ${cm.key}, which does not exist`);
      if (value !== undefined) env[v.name] = value;
    } else if (secret) {
      // Secrets are never in the repository: a stand-in of the right shape for loadConfig
      // (as long as a real one: ADMIN_SECRET wants 32 characters or more; BALLOT_KEYS a key).
      env[v.name] =
        v.name === 'DATABASE_URL' ? 'postgres://role:secret@primaries-db-rw:5432/primaries'
        : v.name === 'BALLOT_KEYS' || v.name === 'ADMIN_TOTP_KEYS' ? `standin:${Buffer.alloc(32).toString('base64')}`
        : v.name === 'RESULTS_SIGNING_KEY' ? `standin:${STANDIN_SIGNING_KEY}`
        : /url|uri/i.test(secret.key) ? 'redis://:secret@redis:6379/0' : 'a-stand-in-secret-as-long-as-a-real-one-0123456789';
    }
  }
  // Empty means unset, as loadConfig treats it.
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
}

function portNumber(c: Container, port: number | string | undefined): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

/**
 * What a probe asks: an httpGet's path and port, or the URL of an exec probe of the form
 * `node -e "fetch('http://127.0.0.1:<port><path>', …)"` and the variables its script reads.
 */
export function probeTarget(c: Container, probe: Probe): { path?: string; port?: number; env: string[] } {
  if (probe.httpGet) return { path: probe.httpGet.path, port: portNumber(c, probe.httpGet.port), env: [] };
  const cmd = probe.exec?.command ?? [];
  const script = cmd[0] === 'node' && cmd[1] === '-e' ? cmd[2] ?? '' : '';
  const m = /fetch\('http:\/\/127\.0\.0\.1:(\d+)(\/[^'?]*)/.exec(script);
  return { path: m?.[2], port: m ? Number(m[1]) : undefined, env: [...script.matchAll(/process\.env\.([A-Z0-9_]+)/g)].map((x) => x[1]!) };
}

function checkMigrate(objs: K8sObject[], owner: string, c: Container, problems: string[]): void {
  const entry = entryOf(c);
  if (!entry || !MIGRATE_COMMANDS.some((m) => m.join(' ') === entry.join(' '))) problems.push(`${owner}: runs ${JSON.stringify(c.command)}, not a migration command`);
  else if (!existsSync(path.join(ROOT, entry[0]!))) problems.push(`${owner}: entry file ${entry[0]} does not exist`);
  const env = containerEnv(objs, owner, c, problems);
  for (const k of Object.keys(env)) if (!MIGRATE_KEYS.includes(k)) problems.push(`${owner}: unknown environment variable ${k}`);
  if (!c.env?.some((v) => v.name === 'DATABASE_URL' && v.valueFrom?.secretKeyRef)) problems.push(`${owner}: DATABASE_URL does not come from a Secret`);
}

function checkService(objs: K8sObject[], owner: string, service: ServiceName, c: Container, problems: string[]): Env {
  const env = containerEnv(objs, owner, c, problems);
  const known = configKeys(service);
  for (const v of c.env ?? []) if (!known.includes(v.name)) problems.push(`${owner}: environment variable ${v.name} is not in the ${service} config schema`);
  let port: number | undefined;
  try {
    const config = loadConfig(service, env) as Record<string, unknown>;
    port = Number(config[PORT_VAR[service]]);
    if (config[BIND_VAR[service]] !== '0.0.0.0') problems.push(`${owner}: ${BIND_VAR[service]} must be 0.0.0.0 in a pod`);
  } catch (err) {
    problems.push(`${owner}: configuration does not load: ${err instanceof ConfigError ? err.message.replace(/\n\s*/g, ' ') : String(err)}`);
  }
  if (port !== undefined && !c.ports?.some((p) => p.containerPort === port)) problems.push(`${owner}: listens on ${port} (${PORT_VAR[service]}) but declares ports ${JSON.stringify(c.ports?.map((p) => p.containerPort))}`);
  const paths = probePaths(service);
  for (const [probe, want] of [['readinessProbe', paths.ready], ['livenessProbe', paths.health]] as const) {
    const p = c[probe];
    const target = p && probeTarget(c, p);
    if (!target?.path) problems.push(`${owner}: no ${probe} over HTTP`);
    else if (target.path !== want) problems.push(`${owner}: ${probe} on ${target.path}, but the ${service} service serves ${want}`);
    else if (target.port !== port) problems.push(`${owner}: ${probe} on port ${target.port}, but the service listens on ${port}`);
    for (const name of target?.env ?? []) if (!c.env?.some((v) => v.name === name)) problems.push(`${owner}: ${probe} reads ${name}, which the container does not have`);
  }
  for (const kind of ['requests', 'limits'] as const) {
    for (const r of ['cpu', 'memory']) if (c.resources?.[kind]?.[r] === undefined) problems.push(`${owner}: no ${r} ${kind}`);
  }
  return env;
}

/** Every problem with the primaries containers of the rendered objects; the env of each service found. */
export function checkServiceContainers(objs: K8sObject[]): { problems: string[]; envs: Map<ServiceName, Env> } {
  const problems: string[] = [];
  const envs = new Map<ServiceName, Env>();
  if (objs.some((o) => o.kind === 'Secret')) problems.push('a Secret is in the manifests: secrets are created in the cluster, never kept in the repository');
  for (const w of workloads(objs)) {
    const pod = podTemplate(w)!;
    const name = `${w.kind}/${w.metadata.name}`;
    if (pod.spec.enableServiceLinks !== false) problems.push(`${name}: enableServiceLinks is not false (Service links set VOTE_PORT=tcp://… and the like)`);
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers].filter(isPrimaries)) {
      const owner = `${name}/${c.name}`;
      if (w.kind === 'Job') {
        checkMigrate(objs, owner, c, problems);
        continue;
      }
      const entry = entryOf(c)?.[0];
      const svc = SERVICES.find((s) => s.entry === entry);
      if (!entry || !existsSync(path.join(ROOT, entry))) problems.push(`${owner}: entry file ${entry ?? '(none)'} does not exist`);
      else if (!svc) problems.push(`${owner}: runs ${entry}, which is no service's entry`);
      else if (svc.name !== w.metadata.name) problems.push(`${owner}: runs the ${svc.name} service's entry ${entry}`);
      else envs.set(svc.name, checkService(objs, owner, svc.name, c, problems));
    }
  }
  for (const s of SERVICES) if (!envs.has(s.name)) problems.push(`no Deployment runs the ${s.name} service`);
  checkUpstreams(objs, envs, problems);
  return { problems, envs };
}

/** The gateway's upstream URLs name a Service whose port leads to the service's container port. */
function checkUpstreams(objs: K8sObject[], envs: Map<ServiceName, Env>, problems: string[]): void {
  const gw = envs.get('gateway');
  if (!gw) return;
  for (const [variable, target] of [['VOTE_UPSTREAM', 'vote'], ['RESULTS_UPSTREAM', 'results'], ['ADMIN_UPSTREAM', 'admin']] as const) {
    const raw = gw[variable];
    if (!raw) {
      problems.push(`gateway: ${variable} is not set`);
      continue;
    }
    // One URL, the Service: kube-proxy spreads its connections (lists are for `pnpm start --scale`).
    if (raw.includes(',')) {
      problems.push(`gateway: ${variable} lists several URLs; name the ${target} Service once`);
      continue;
    }
    const url = new URL(raw);
    const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === url.hostname);
    const spec = svc?.spec as { selector?: Record<string, string>; ports?: { port: number; targetPort?: number | string }[] } | undefined;
    const deployment = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === target);
    const pod = deployment && podTemplate(deployment);
    if (!svc || !spec) problems.push(`gateway: ${variable} names host ${url.hostname}, which is no Service`);
    else if (!pod || !selects({ matchLabels: spec.selector ?? {} }, pod.labels)) problems.push(`gateway: ${variable} names Service ${url.hostname}, which does not select the ${target} pods`);
    else {
      const sp = spec.ports?.find((p) => p.port === Number(url.port || 80));
      const c = pod.spec.containers[0]!;
      const listens = Number(envs.get(target)?.[PORT_VAR[target]]);
      if (!sp) problems.push(`gateway: ${variable} port ${url.port} is not a port of Service ${url.hostname}`);
      else if (portNumber(c, sp.targetPort ?? sp.port) !== listens) problems.push(`gateway: ${variable} leads to container port ${sp.targetPort}, but ${target} listens on ${listens}`);
    }
  }
}
