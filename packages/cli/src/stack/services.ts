import { pathToFileURL } from 'node:url';
import { loadConfig } from '@primaries/config';
import type { ServiceName } from '@primaries/config';

/**
 * The processes of the stack: entry files (relative to the repository root), log
 * colours, and the path of their own liveness check (the gateway routes /health by Host
 * to the sites, and answers for itself under /_gateway/ on any host).
 */
export const SERVICES: readonly { name: ServiceName; entry: string; color: string; healthPath: string }[] = [
  { name: 'gateway', entry: 'services/gateway/src/server.ts', color: 'magenta', healthPath: '/_gateway/health' },
  { name: 'vote', entry: 'services/vote/src/server.ts', color: 'green', healthPath: '/health' },
  { name: 'results', entry: 'services/results/src/server.ts', color: 'cyan', healthPath: '/health' },
  { name: 'worker', entry: 'services/worker/src/main.ts', color: 'yellow', healthPath: '/health' },
  { name: 'admin', entry: 'services/admin/src/server.ts', color: 'blue', healthPath: '/health' },
];

export interface StackPorts {
  gateway: number;
  vote: number;
  results: number;
  worker: number;
  admin: number;
}

type Env = Record<string, string | undefined>;

/** Ports from the environment with each service's own config defaults (8080, 3001, 3002, 3003, 3004). */
export function stackPorts(env: Env): StackPorts {
  const pick = (name: string, fallback: number) => {
    const v = env[name];
    return v ? Number(v) : fallback;
  };
  return { gateway: pick('GATEWAY_PORT', 8080), vote: pick('VOTE_PORT', 3001), results: pick('RESULTS_PORT', 3002), worker: pick('WORKER_PORT', 3003), admin: pick('ADMIN_PORT', 3004) };
}

/** Instances per service (`pnpm start --scale vote=2,results=2`); 1 for a service not named. */
export type Scale = Partial<Record<ServiceName, number>>;

/** Services that may run as several instances: not the gateway, the one public port. */
export const SCALABLE: readonly ServiceName[] = ['vote', 'results', 'worker', 'admin'];
export const MAX_INSTANCES = 9;

/** The port of a service's instance `index` (0-based): its port, then 100 further for each next one (3001, 3101, 3201 …). */
export function instancePort(base: number, index: number): number {
  return base + index * 100;
}

/** One process of the stack: a service's instance, named `vote` alone or `vote-1`, `vote-2` … when scaled. */
export interface ServiceInstance {
  service: ServiceName;
  name: string;
  port: number;
}

/** The processes to run for `names` at `scale`, each with its own port. */
export function stackInstances(names: readonly ServiceName[], scale: Scale, ports: StackPorts): ServiceInstance[] {
  return names.flatMap((service) => {
    const n = scale[service] ?? 1;
    return Array.from({ length: n }, (_, i) => ({ service, name: n > 1 ? `${service}-${i + 1}` : service, port: instancePort(ports[service], i) }));
  });
}

/** The variable holding a service's port (`VOTE_PORT` …). */
export function portVariable(service: ServiceName): string {
  return `${service.toUpperCase()}_PORT`;
}

/**
 * The environment every service of the local stack gets: the caller's, the resolved
 * DATABASE_URL/REDIS_URL, and upstream URLs that agree with the ports: with `--scale`, the
 * list of each site's instances, which the gateway balances across (docs/gateway.md).
 */
export function serviceEnv(env: Env, urls: { databaseUrl: string; redisUrl: string }, scale: Scale = {}): Record<string, string> {
  const ports = stackPorts(env);
  const upstream = (service: 'vote' | 'results' | 'admin') =>
    Array.from({ length: scale[service] ?? 1 }, (_, i) => `http://127.0.0.1:${instancePort(ports[service], i)}`).join(',');
  const out: Record<string, string> = {
    NODE_ENV: env.NODE_ENV || 'development',
    DATABASE_URL: urls.databaseUrl,
    REDIS_URL: urls.redisUrl,
    GATEWAY_PORT: String(ports.gateway),
    VOTE_PORT: String(ports.vote),
    RESULTS_PORT: String(ports.results),
    WORKER_PORT: String(ports.worker),
    ADMIN_PORT: String(ports.admin),
    VOTE_UPSTREAM: env.VOTE_UPSTREAM || upstream('vote'),
    RESULTS_UPSTREAM: env.RESULTS_UPSTREAM || upstream('results'),
    ADMIN_UPSTREAM: env.ADMIN_UPSTREAM || upstream('admin'),
  };
  return out;
}

/** Validates each service's configuration as it will start, so a bad variable stops us before anything runs. */
export function checkServiceConfigs(names: readonly ServiceName[], env: Env): void {
  for (const name of names) loadConfig(name, env);
}

/**
 * The shell command that runs one service: `exec node --import tsx <entry>`, a single
 * process (no tsx CLI wrapper relaying signals), so SIGTERM reaches close-with-grace once.
 * A 64 MB young generation halves the gateway's time in GC under load (docs/bench/perf.md).
 */
export function serviceCommand(entry: string): string {
  const loader = pathToFileURL(require.resolve('tsx')).href;
  return `exec ${JSON.stringify(process.execPath)} --max-semi-space-size=64 --enable-source-maps --import ${JSON.stringify(loader)} ${JSON.stringify(entry)}`;
}
