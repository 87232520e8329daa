import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, configKeys, loadConfig } from '@primaries/config';
import type { ServiceName } from '@primaries/config';
import { SERVICES } from './services';

/**
 * Static checks of docker-compose.yml against the code: no Docker engine runs in CI,
 * so this is how a renamed variable, a moved entry file or a wrong port is caught.
 * Returns every problem found (empty when the file is consistent), not just the first.
 */

type Env = Record<string, string>;

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number)[];
  volumes?: string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
  networks?: Record<string, { ipv4_address?: string } | null> | string[];
}

export interface ComposeFile {
  services?: Record<string, ComposeService>;
}

/** Variables the `migrate` one-shot (start.ts --prepare-only) reads. */
const MIGRATE_KEYS = ['NODE_ENV', 'LOG_LEVEL', 'DATABASE_URL'];

/** Resolves compose's `${VAR}`, `${VAR:-default}` and `${VAR-default}` against `vars` (unset → default or ''). */
export function interpolate(value: string, vars: Env = {}): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g, (_m, name: string, dflt: string | undefined) => vars[name] || dflt || '');
}

/** A service's environment as the container sees it (interpolated; empty values dropped, as loadConfig does). */
function serviceEnvironment(svc: ComposeService, vars: Env = {}): Env {
  const raw = svc.environment ?? {};
  const pairs: [string, string][] = Array.isArray(raw)
    ? raw.map((line) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(pairs.map(([k, v]): [string, string] => [k, interpolate(v, vars)]).filter(([, v]) => v !== ''));
}

function commandOf(svc: ComposeService): string[] {
  if (Array.isArray(svc.command)) return svc.command;
  return typeof svc.command === 'string' ? svc.command.split(/\s+/).filter(Boolean) : [];
}

function portOfUrl(url: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(url);
    const dflt = u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : u.protocol.startsWith('postgres') ? 5432 : u.protocol.startsWith('redis') ? 6379 : 0;
    return { host: u.hostname, port: u.port ? Number(u.port) : dflt };
  } catch {
    return undefined;
  }
}

/** Reads `directive value` lines of a redis.conf. */
function redisConfDirectives(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [key, ...rest] = t.split(/\s+/);
    if (key) out.set(key.toLowerCase(), rest.join(' '));
  }
  return out;
}

/** Settings of the Redis service: from a mounted config file, overridden by `--flag value` pairs in its command. */
function redisSettings(svc: ComposeService, root: string, problems: string[]): Map<string, string> {
  const cmd = commandOf(svc);
  let settings = new Map<string, string>();
  const conf = cmd.find((c, i) => i > 0 && c.endsWith('.conf'));
  if (conf) {
    const mount = (svc.volumes ?? []).map((v) => v.split(':')).find((parts) => parts[1] === conf);
    const host = mount?.[0];
    if (!host) problems.push(`redis: ${conf} is not mounted from the repository`);
    else if (!existsSync(path.resolve(root, host))) problems.push(`redis: mounted config ${host} does not exist`);
    else settings = redisConfDirectives(readFileSync(path.resolve(root, host), 'utf8'));
  }
  for (let i = 0; i < cmd.length; i++) {
    const flag = cmd[i];
    if (flag?.startsWith('--')) settings.set(flag.slice(2).toLowerCase(), cmd[i + 1] ?? '');
  }
  return settings;
}

/** Checks one `pnpm <script>` or `node --import tsx <file>` command against the repository. */
function checkCommand(name: string, cmd: string[], root: string, problems: string[]): string | undefined {
  if (cmd[0] === 'pnpm') {
    const script = cmd[1] === 'run' ? cmd[2] : cmd[1];
    const pkgFile = path.join(root, 'package.json');
    if (!existsSync(pkgFile)) {
      problems.push(`${name}: runs a pnpm script but ${pkgFile} does not exist`);
      return undefined;
    }
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> };
    const body = script ? pkg.scripts?.[script] : undefined;
    if (!body) {
      problems.push(`${name}: command runs pnpm script "${script}", which package.json does not define`);
      return undefined;
    }
    const file = body.split(/\s+/).find((w) => w.endsWith('.ts'));
    if (file && !existsSync(path.join(root, file))) problems.push(`${name}: pnpm ${script} runs ${file}, which does not exist`);
    return file;
  }
  if (cmd[0] === 'node') {
    const file = cmd.find((w) => w.endsWith('.ts'));
    if (!cmd.includes('tsx')) problems.push(`${name}: node runs TypeScript without --import tsx`);
    if (!file) problems.push(`${name}: node command names no .ts entry file`);
    else if (!existsSync(path.join(root, file))) problems.push(`${name}: entry file ${file} does not exist`);
    return file;
  }
  problems.push(`${name}: command must be \`pnpm <script>\` or \`node --import tsx <file>\`, got ${JSON.stringify(cmd)}`);
  return undefined;
}

/** Whether `name` starts only after migrate completed, directly or through a service it waits on. */
function waitsForMigrate(name: string, services: Record<string, ComposeService>, seen = new Set<string>()): boolean {
  if (seen.has(name)) return false;
  seen.add(name);
  const deps = services[name]?.depends_on;
  if (!deps || Array.isArray(deps)) return false;
  return Object.entries(deps).some(([dep, d]) => (dep === 'migrate'
    ? d.condition === 'service_completed_successfully'
    : ['service_healthy', 'service_completed_successfully'].includes(d.condition ?? '') && waitsForMigrate(dep, services, seen)));
}

/** Every inconsistency between a parsed compose file and the repository at `root`. */
export function checkCompose(compose: ComposeFile, root: string, vars: Env = {}): string[] {
  const problems: string[] = [];
  const services = compose.services ?? {};
  const names = Object.keys(services);
  const byImage = (prefix: string) => names.find((n) => services[n]?.image?.startsWith(prefix));
  const pgName = byImage('postgres:');
  const redisName = byImage('redis:');

  if (!existsSync(path.join(root, 'Dockerfile'))) problems.push('Dockerfile does not exist');
  if (!pgName) problems.push('no postgres service (image postgres:…)');
  if (!redisName) problems.push('no redis service (image redis:…)');
  if (!services.migrate) problems.push('no migrate service');

  for (const [name, svc] of Object.entries(services)) {
    if (!svc.image && !svc.build) problems.push(`${name}: neither image nor build`);
  }

  if (redisName) {
    const r = redisSettings(services[redisName]!, root, problems);
    if (r.get('appendonly') !== 'yes') problems.push('redis: appendonly is not yes (queued votes would not survive a restart)');
    if (r.get('appendfsync') !== 'everysec' && r.get('appendfsync') !== 'always') problems.push('redis: appendfsync is neither everysec nor always');
    if (r.get('maxmemory-policy') !== 'noeviction') problems.push('redis: maxmemory-policy is not noeviction (BullMQ requires it)');
  }
  if (pgName && !services[pgName]!.healthcheck) problems.push(`${pgName}: no healthcheck`);

  const migrate = services.migrate;
  if (migrate) {
    if (!migrate.build) problems.push('migrate: builds no image (the app services use the image it builds)');
    checkCommand('migrate', commandOf(migrate), root, problems);
    const env = serviceEnvironment(migrate, vars);
    for (const k of Object.keys(env)) if (!MIGRATE_KEYS.includes(k)) problems.push(`migrate: unknown environment variable ${k}`);
    if (!env.DATABASE_URL) problems.push('migrate: no DATABASE_URL');
    const deps = migrate.depends_on;
    if (pgName && (Array.isArray(deps) || deps?.[pgName]?.condition !== 'service_healthy')) problems.push(`migrate: does not wait for ${pgName} to be healthy`);
  }

  const envs = new Map<ServiceName, Env>();
  for (const { name, entry } of SERVICES) {
    const svc = services[name];
    if (!svc) {
      problems.push(`no ${name} service`);
      continue;
    }
    const file = checkCommand(name, commandOf(svc), root, problems);
    if (file && file !== entry) problems.push(`${name}: runs ${file}, but the ${name} service's entry is ${entry}`);

    const env = serviceEnvironment(svc, vars);
    envs.set(name, env);
    const known = configKeys(name);
    for (const k of Object.keys(env)) if (!known.includes(k)) problems.push(`${name}: environment variable ${k} is not in the ${name} config schema`);
    try {
      loadConfig(name, env);
    } catch (err) {
      problems.push(`${name}: configuration does not load: ${err instanceof ConfigError ? err.message.replace(/\n\s*/g, ' ') : String(err)}`);
    }

    for (const [key, target] of [['DATABASE_URL', pgName], ['REDIS_URL', redisName]] as const) {
      if (!env[key] || !target) continue;
      const host = portOfUrl(env[key])?.host;
      if (host !== target) problems.push(`${name}: ${key} points at host ${host}, not the ${target} service`);
    }
    if (svc.build === undefined && svc.image !== services.migrate?.image) problems.push(`${name}: image differs from the one migrate builds`);
    if (services.migrate && !waitsForMigrate(name, services)) problems.push(`${name}: does not wait for migrate to complete successfully`);
  }

  // Ports: each service listens where its config says, the gateway's upstreams and the
  // healthchecks agree with that, and only the gateway is published.
  const portVar: Record<ServiceName, string> = { gateway: 'GATEWAY_PORT', vote: 'VOTE_PORT', results: 'RESULTS_PORT', worker: 'WORKER_PORT', admin: 'ADMIN_PORT' };
  const listenPort = (name: ServiceName): number | undefined => {
    const env = envs.get(name);
    if (!env) return undefined;
    try {
      return Number((loadConfig(name, env) as Record<string, unknown>)[portVar[name]]);
    } catch {
      return undefined;
    }
  };
  for (const { name, healthPath } of SERVICES) {
    const svc = services[name];
    const p = listenPort(name);
    if (!svc || p === undefined) continue;
    const test = Array.isArray(svc.healthcheck?.test) ? svc.healthcheck.test.join(' ') : svc.healthcheck?.test ?? '';
    const m = /127\.0\.0\.1:(\d+)(\/[\w/]*)/.exec(test);
    if (!m || m[2] !== healthPath) problems.push(`${name}: no healthcheck on ${healthPath}`);
    else if (Number(m[1]) !== p) problems.push(`${name}: healthcheck probes port ${m[1]} but the service listens on ${p}`);
    if (name !== 'gateway' && svc.ports?.length) problems.push(`${name}: publishes ports; only the gateway should be reachable from outside`);
  }
  const gw = services.gateway;
  const gwEnv = envs.get('gateway');
  if (gw && gwEnv) {
    const gwPort = listenPort('gateway');
    const published = (gw.ports ?? []).map((p) => String(p).split(':').map(Number));
    if (!published.some((parts) => parts[parts.length - 1] === gwPort)) problems.push(`gateway: container port ${gwPort} is not published`);
    if (!published.some((parts) => parts.length > 1 && parts[parts.length - 2] === 8080)) problems.push('gateway: not published on host port 8080');
    if (gwEnv.GATEWAY_BIND && gwEnv.GATEWAY_BIND !== '0.0.0.0') problems.push('gateway: GATEWAY_BIND must be 0.0.0.0 in a container');
    const cfg = (() => {
      try {
        return loadConfig('gateway', gwEnv);
      } catch {
        return undefined;
      }
    })();
    for (const [upstream, target, bindVar] of [['VOTE_UPSTREAM', 'vote', 'VOTE_BIND'], ['RESULTS_UPSTREAM', 'results', 'RESULTS_BIND'], ['ADMIN_UPSTREAM', 'admin', 'ADMIN_BIND']] as const) {
      if (!cfg) break;
      // One URL in compose: the service name, which Docker's DNS resolves (several instances are `pnpm start --scale`'s).
      if (cfg[upstream].length !== 1) problems.push(`gateway: ${upstream} lists ${cfg[upstream].length} URLs; compose names one service`);
      const u = portOfUrl(cfg[upstream][0]!);
      if (u?.host !== target) problems.push(`gateway: ${upstream} host is ${u?.host}, not the ${target} service`);
      else if (u.port !== listenPort(target)) problems.push(`gateway: ${upstream} port ${u.port} but ${target} listens on ${listenPort(target)}`);
      if (envs.get(target)?.[bindVar] !== '0.0.0.0') problems.push(`${target}: ${bindVar} must be 0.0.0.0 so the gateway container reaches it`);
    }
    // The vote service must believe X-Forwarded-For from the gateway, or the one-IP rule sees one address.
    const gwAddress = Array.isArray(gw.networks) ? undefined : Object.values(gw.networks ?? {}).find((n) => n?.ipv4_address)?.ipv4_address;
    const trusted = envs.get('vote')?.TRUSTED_PROXIES ?? '';
    if (!gwAddress) problems.push('gateway: no fixed ipv4_address for vote\'s TRUSTED_PROXIES to name');
    else if (!trusted.split(',').map((s) => s.trim().replace(/\/32$/, '')).includes(gwAddress)) problems.push(`vote: TRUSTED_PROXIES does not name the gateway (${gwAddress})`);
  }
  return problems;
}

/** Parses the compose file at `file`. */
export function readCompose(file: string): ComposeFile {
  return parse(readFileSync(file, 'utf8')) as ComposeFile;
}
