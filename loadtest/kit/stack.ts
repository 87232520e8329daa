import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis, freePort, waitFor } from '@primaries/testing';

export const ROOT = path.join(__dirname, '..', '..');

/** A service the kit watches during a run: its /metrics, and its process when it runs on this machine. */
export interface WatchedService {
  name: 'gateway' | 'vote' | 'results' | 'worker';
  /** Its series' name when a service runs several instances (`vote`, `vote-2` …); else `name`. */
  label?: string;
  /** Prometheus text endpoint (an internal port, or the site with OPS_TOKEN). */
  metricsUrl: string;
  /** Host header for metricsUrl, when it goes through the gateway. */
  metricsHost?: string;
  /** Local process id (CPU and memory from /proc). */
  pid?: number;
}

/** Where a run sends its load, and what it can watch. */
export interface Target {
  /** Base URL of the public entry (the gateway), http or https. */
  url: string;
  voteHost: string;
  resultsHost: string;
  services: WatchedService[];
  /** Set when the kit may write to the stack's stores (the local stack, or a rehearsal with --database-url). */
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix?: string;
  /** The SMS outbox path the stack exposes (`/api/v1/dev/sms` locally, `/api/v1/rehearsal/sms` on a rehearsal deployment). */
  smsPath: string;
  electionId?: number;
  /** The stack's stores are dropped after the run: synthetic members need no removal. */
  disposable?: boolean;
  stop(): Promise<void>;
}

const SERVICES = {
  gateway: 'services/gateway/src/server.ts',
  vote: 'services/vote/src/server.ts',
  results: 'services/results/src/server.ts',
  worker: 'services/worker/src/main.ts',
} as const;

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Instances per service (`--scale vote=2`, issue #17); 1 for a service not named. The gateway is one. */
export type StackScale = Partial<Record<'vote' | 'results' | 'worker', number>>;

/** `vote=2,worker=2` → {vote: 2, worker: 2}; throws on anything else. */
export function parseScale(value: string | undefined): StackScale {
  const scale: StackScale = {};
  for (const item of (value ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(vote|results|worker)=([1-9])$/.exec(item);
    if (!m) throw new Error(`--scale: "${item}" is not vote|results|worker=<1-9>`);
    scale[m[1] as keyof StackScale] = Number(m[2]);
  }
  return scale;
}

/** `vote=2,worker=2`, or `1 each`: how a run's scale is printed and recorded. */
export function scaleLabel(scale: StackScale): string {
  const parts = Object.entries(scale).filter(([, n]) => n > 1).map(([k, n]) => `${k}=${n}`);
  return parts.length ? parts.join(',') : '1 each';
}

export interface LocalStack extends Target {
  tdb: TestDatabase;
  tr: TestRedis;
  election: SmallElection;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
}

/**
 * The four services as their own processes on free ports (vote, results and worker as
 * several instances with `scale`, the gateway balancing across them), with a database and a Redis
 * prefix of their own (dropped by stop()): what `pnpm loadtest` runs against when no
 * --url is given, and what the kit's tests start. Settings are production's defaults
 * except the SMS outbox and a results refresh every few seconds (so the snapshot age moves
 * during a short run).
 */
export async function startLocalStack(label = 'loadtest', env: Record<string, string> = {}, scale: StackScale = {}): Promise<LocalStack> {
  const tdb = await createTestDatabase(label);
  const tr = await createTestRedis(label);
  const election = await createSmallElection(tdb.db, { maxChoices: 2 });
  // Each instance on a free port of its own; the gateway balances over each site's list.
  const instances: Array<{ name: keyof typeof SERVICES; label: string; port: number }> = [];
  for (const name of Object.keys(SERVICES) as Array<keyof typeof SERVICES>) {
    const n = name === 'gateway' ? 1 : (scale[name] ?? 1);
    for (let i = 0; i < n; i++) instances.push({ name, label: i === 0 ? name : `${name}-${i + 1}`, port: await freePort() });
  }
  const portsOf = (name: keyof typeof SERVICES) => instances.filter((i) => i.name === name).map((i) => i.port);
  const ports = { gateway: portsOf('gateway')[0]!, vote: portsOf('vote')[0]!, results: portsOf('results')[0]!, worker: portsOf('worker')[0]! };
  const list = (name: keyof typeof SERVICES) => portsOf(name).map((p) => `http://127.0.0.1:${p}`).join(',');
  const logs = path.join(ROOT, 'loadtest', 'results', 'logs');
  mkdirSync(logs, { recursive: true });
  const common: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: tdb.url,
    REDIS_URL: tr.url,
    REDIS_PREFIX: tr.prefix,
    GATEWAY_PORT: String(ports.gateway),
    GATEWAY_BIND: '127.0.0.1',
    VOTE_PORT: String(ports.vote),
    RESULTS_PORT: String(ports.results),
    WORKER_PORT: String(ports.worker),
    VOTE_UPSTREAM: list('vote'),
    RESULTS_UPSTREAM: list('results'),
    SMS_PROVIDER: 'outbox',
    RESULTS_REFRESH_SECONDS: '5',
    RESULTS_POLL_SECONDS: '1',
    ...env,
  };
  const loader = pathToFileURL(require.resolve('tsx')).href;
  const children = new Map<string, ChildProcess>();
  for (const i of instances) {
    // A young generation of 64 MB, as `pnpm start` runs the services (docs/bench/perf.md).
    const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', loader, SERVICES[i.name]], { cwd: ROOT, env: { ...common, [`${i.name.toUpperCase()}_PORT`]: String(i.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(path.join(logs, `${tr.prefix}-${i.label}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.set(i.label, child);
  }
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const force = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(force);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await tr.cleanup();
    await tdb.drop();
  };
  try {
    await waitFor(
      async () =>
        (
          await Promise.all(instances.map((i) => healthy(`http://127.0.0.1:${i.port}${i.name === 'gateway' ? '/_gateway/health' : i.name === 'results' ? '/health' : '/ready'}`)))
        ).every(Boolean),
      { timeoutMs: 120_000, intervalMs: 250, message: 'the local stack to start' },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const metricsPath = (name: keyof typeof SERVICES) => (name === 'gateway' ? '/_gateway/metrics' : '/metrics');
  return {
    tdb,
    tr,
    election,
    url: `http://127.0.0.1:${ports.gateway}`,
    voteHost: 'vote.localhost',
    resultsHost: 'localhost',
    databaseUrl: tdb.url,
    redisUrl: tr.url,
    redisPrefix: tr.prefix,
    smsPath: '/api/v1/dev/sms',
    electionId: election.electionId,
    disposable: true,
    // Each instance watched apart (series `vote`, `vote-2` …); CPU is summed per service.
    services: instances.map((i) => ({ name: i.name, ...(i.label !== i.name ? { label: i.label } : {}), metricsUrl: `http://127.0.0.1:${i.port}${metricsPath(i.name)}`, ...opt('pid', children.get(i.label)?.pid) })),
    stop,
  };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
