import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis, freePort, waitFor } from '@primaries/testing';

export const ROOT = path.join(__dirname, '..', '..');

/** A service the kit watches during a run: its /metrics, and its process when it runs on this machine. */
export interface WatchedService {
  name: 'gateway' | 'vote' | 'results' | 'worker';
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

export interface LocalStack extends Target {
  tdb: TestDatabase;
  tr: TestRedis;
  election: SmallElection;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
}

/**
 * The four services as their own processes on free ports, with a database and a Redis
 * prefix of their own (dropped by stop()): what `pnpm loadtest` runs against when no
 * --url is given, and what the kit's tests start. Settings are production's defaults
 * except the SMS outbox and a results refresh every few seconds (so the snapshot age moves
 * during a short run).
 */
export async function startLocalStack(label = 'loadtest', env: Record<string, string> = {}): Promise<LocalStack> {
  const tdb = await createTestDatabase(label);
  const tr = await createTestRedis(label);
  const election = await createSmallElection(tdb.db, { maxChoices: 2 });
  const ports = { gateway: await freePort(), vote: await freePort(), results: await freePort(), worker: await freePort() };
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
    VOTE_UPSTREAM: `http://127.0.0.1:${ports.vote}`,
    RESULTS_UPSTREAM: `http://127.0.0.1:${ports.results}`,
    SMS_PROVIDER: 'outbox',
    RESULTS_REFRESH_SECONDS: '5',
    RESULTS_POLL_SECONDS: '1',
    ...env,
  };
  const loader = pathToFileURL(require.resolve('tsx')).href;
  const children = new Map<keyof typeof SERVICES, ChildProcess>();
  for (const [name, entry] of Object.entries(SERVICES) as Array<[keyof typeof SERVICES, string]>) {
    // A young generation of 64 MB, as `pnpm start` runs the services (docs/bench/perf.md).
    const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', loader, entry], { cwd: ROOT, env: common, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(path.join(logs, `${tr.prefix}-${name}.log`));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    children.set(name, child);
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
          await Promise.all([
            healthy(`http://127.0.0.1:${ports.gateway}/_gateway/health`),
            healthy(`http://127.0.0.1:${ports.vote}/ready`),
            healthy(`http://127.0.0.1:${ports.results}/health`),
            healthy(`http://127.0.0.1:${ports.worker}/ready`),
          ])
        ).every(Boolean),
      { timeoutMs: 120_000, intervalMs: 250, message: 'the local stack to start' },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = (n: keyof typeof SERVICES) => children.get(n)?.pid;
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
    services: [
      { name: 'gateway', metricsUrl: `http://127.0.0.1:${ports.gateway}/_gateway/metrics`, ...opt('pid', pid('gateway')) },
      { name: 'vote', metricsUrl: `http://127.0.0.1:${ports.vote}/metrics`, ...opt('pid', pid('vote')) },
      { name: 'results', metricsUrl: `http://127.0.0.1:${ports.results}/metrics`, ...opt('pid', pid('results')) },
      { name: 'worker', metricsUrl: `http://127.0.0.1:${ports.worker}/metrics`, ...opt('pid', pid('worker')) },
    ],
    stop,
  };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
