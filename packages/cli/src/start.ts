import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '@primaries/config';
import type { ServiceName } from '@primaries/config';
import { migrate } from './commands/db';
import { isDatabaseEmpty, seedDemo } from './seed';
import { StackError, isLocalHost } from './stack/errors';
import { waitHealthy } from './stack/health';
import type { HealthTarget } from './stack/health';
import { canEmbedFor, probePostgres, startEmbeddedPostgres } from './stack/postgres';
import { hasRedisServer, probeRedis, startLocalRedis } from './stack/redis';
import { localSigningKey, serviceSecrets } from './stack/signing-key';
import { localBallotKeys } from './stack/ballot-keys';
import { type RunningServices, superviseServices } from './stack/run-services';
import { defaultDataDir, removeStackState, writeStackState } from './stack/state';
import { MAX_INSTANCES, SCALABLE, SERVICES, type Scale, checkServiceConfigs, portVariable, serviceCommand, serviceEnv, stackInstances, stackPorts } from './stack/services';

/**
 * `pnpm start`: the whole stack on one machine in one command. Uses DATABASE_URL and
 * REDIS_URL (or the local defaults); when nothing answers there, runs an embedded
 * Postgres and a redis-server with their data under .data/; migrates, seeds the demo
 * election into an empty database, then runs gateway, vote, results and worker with
 * prefixed logs until Ctrl-C, and stops everything in order: services, Postgres, Redis.
 */

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/primaries';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

interface StartOptions {
  dataDir: string;
  pgPort: number;
  redisPort: number;
  services: ServiceName[];
  seed: boolean;
  members?: number;
  timeout: number;
  prepareOnly: boolean;
  scale: Scale;
}

const tty = Boolean(process.stdout.isTTY);
const log = (msg: string) => console.log(`${tty ? '\x1b[1m[start]\x1b[0m' : '[start]'} ${msg}`);

/** A URL for printing: without its password. */
function safeUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('not a port number');
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a positive integer');
  return n;
}

function serviceList(value: string): ServiceName[] {
  const known = SERVICES.map((s) => s.name);
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !known.includes(n as ServiceName));
  if (unknown.length || names.length === 0) throw new InvalidArgumentError(`choose from ${known.join(', ')}`);
  return names as ServiceName[];
}

/** `vote=2,results=2,worker=2`: instances per service (issue #17). */
function scaleList(value: string): Scale {
  const scale: Scale = {};
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z]+)=(\d+)$/.exec(item);
    const name = m?.[1] as ServiceName | undefined;
    const n = Number(m?.[2]);
    if (!m || !name || !SCALABLE.includes(name)) throw new InvalidArgumentError(`"${item}": write service=count, the service one of ${SCALABLE.join(', ')} (the gateway is the one public port)`);
    if (!Number.isInteger(n) || n < 1 || n > MAX_INSTANCES) throw new InvalidArgumentError(`"${item}": from 1 to ${MAX_INSTANCES} instances`);
    scale[name] = n;
  }
  return scale;
}

function parseOptions(argv: string[]): StartOptions {
  const program = new Command()
    .name('pnpm start')
    .description('Run the whole primaries stack locally: Postgres and Redis (embedded if none answer), migrations, demo seed, gateway, vote, results, worker')
    .addOption(new Option('--data-dir <dir>', 'where the embedded Postgres and Redis keep their files, and stack.json says where the stores are').default(defaultDataDir(), '$PRIMARIES_DATA_DIR or .data'))
    .addOption(new Option('--pg-port <port>', 'port of the embedded Postgres, used when DATABASE_URL does not answer').argParser(port).default(54329))
    .addOption(new Option('--redis-port <port>', 'port of the local redis-server, used when REDIS_URL does not answer').argParser(port).default(63790))
    .addOption(new Option('--services <list>', 'comma-separated services to run').argParser(serviceList).default(SERVICES.map((s) => s.name), 'all'))
    .addOption(new Option('--scale <list>', 'instances per service, e.g. vote=2,results=2,worker=2 (ports: the service\'s, then +100 each)').argParser(scaleList).default({}, 'one each'))
    .option('--no-seed', 'do not seed the demo election into an empty database')
    .addOption(new Option('--members <n>', 'members in the demo register (default: the seed command\'s)').argParser(positiveInt))
    .option('--prepare-only', 'only migrate and seed the database (docker compose\'s `migrate` service), then exit', false)
    .addOption(new Option('--timeout <seconds>', 'how long the services may take to become healthy').argParser(positiveInt).default(60))
    .showHelpAfterError();
  program.parse(argv);
  return program.opts<StartOptions>();
}

/** Whether nothing listens on the port yet (a clear message beats a service crashing on EADDRINUSE). */
function portFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port: p, host: '0.0.0.0', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Applies pending migrations, then seeds the demo election when the database holds none. */
async function prepareDatabase(databaseUrl: string, opts: StartOptions): Promise<void> {
  const applied = await migrate(databaseUrl);
  log(applied.length ? `migrated: ${applied.join(', ')}` : 'schema is up to date');
  if (opts.seed && (await isDatabaseEmpty(databaseUrl))) {
    log('empty database: seeding the demo election');
    const seeded = await seedDemo({
      databaseUrl,
      ...(opts.members ? { members: opts.members } : {}),
      csvPath: path.join(opts.dataDir, 'members.csv'),
      progress: Boolean(process.stdout.isTTY),
    });
    log(`seeded election ${seeded.electionId}: ${seeded.members} members, ${seeded.contests} contests, ${seeded.candidates} candidates `
      + `in ${(seeded.ms / 1000).toFixed(1)} s; register in ${path.relative(process.cwd(), seeded.csvPath) || seeded.csvPath}`);
  }
}

/** Each service's instances' ports, for stack.json. */
function instancesByService(instances: readonly { service: ServiceName; port: number }[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const i of instances) (out[i.service] ??= []).push(i.port);
  return out;
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv);
  const started = Date.now();
  const cleanups: Array<() => Promise<void>> = [];
  let cleaned: Promise<void> | undefined;
  const cleanup = () => (cleaned ??= (async () => {
    // The services are down by now; then Postgres, then Redis (the worker's close order).
    for (const fn of cleanups) await fn().catch((err: unknown) => log(`while stopping: ${String(err)}`));
  })());

  // A signal (Ctrl-C, SIGTERM, SIGHUP) stops everything: before the services run, what we
  // started so far; once they run, the services (each once), then Postgres and Redis.
  const abort = new AbortController();
  let services: RunningServices | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    abort.abort();
    log(`${signal}: stopping`);
    if (services) services.stop();
    else void cleanup().finally(() => process.exit(130));
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  // `pnpm start` signalled: pnpm passes SIGTERM to the shell it ran us in, which dies without
  // passing it on. Our parent going away (we are re-parented) therefore counts as a signal too.
  const parent = process.ppid;
  const orphaned = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(orphaned);
    log(`the parent process (pid ${parent}) is gone`);
    onSignal('SIGHUP');
  }, 250);
  orphaned.unref();

  try {
    // 1. Postgres
    let databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
    const pgProbe = await probePostgres(databaseUrl);
    if (!pgProbe.ok) {
      const where = new URL(databaseUrl).host;
      if (pgProbe.reason === 'refused') {
        throw new StackError(`Postgres at ${where} answers but refuses us: ${pgProbe.message}`, 'fix DATABASE_URL (user, password, sslmode)');
      }
      if (!canEmbedFor(databaseUrl) || opts.prepareOnly) {
        throw new StackError(`no Postgres answers at ${where}`, 'start that server, or unset DATABASE_URL to use a local or embedded one');
      }
      log(`no Postgres answers at ${where}`);
      const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'primaries';
      const pg = await startEmbeddedPostgres({ dataDir: path.join(opts.dataDir, 'postgres'), port: opts.pgPort, database, log });
      cleanups.push(async () => {
        log('stopping embedded Postgres');
        await pg.stop();
      });
      databaseUrl = pg.url;
    }

    if (opts.prepareOnly) {
      await prepareDatabase(databaseUrl, opts);
      return 0;
    }

    // 2. Redis
    let redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
    if (process.env.REDIS_SENTINELS) {
      // Through the sentinels, as the services will connect: never a local server instead.
      if (!(await probeRedis(loadConfig('results')))) {
        throw new StackError(`no Redis master answers through the sentinels ${process.env.REDIS_SENTINELS}`, 'start them, or unset REDIS_SENTINELS to use REDIS_URL');
      }
    } else if (!(await probeRedis(redisUrl))) {
      const where = new URL(redisUrl).host;
      if (!isLocalHost(new URL(redisUrl).hostname)) {
        throw new StackError(`no Redis answers at ${where}`, 'start that server, or unset REDIS_URL to use a local one');
      }
      if (!hasRedisServer()) {
        throw new StackError(`no Redis answers at ${where} and redis-server is not installed`,
          'install Redis 7 (apt-get install redis-server, brew install redis) or set REDIS_URL to a running one');
      }
      log(`no Redis answers at ${where}`);
      const redis = await startLocalRedis({ dataDir: path.join(opts.dataDir, 'redis'), port: opts.redisPort, configFile: path.join(ROOT, 'infra/redis/redis.conf'), log });
      cleanups.push(async () => {
        log('stopping redis-server');
        await redis.stop();
      });
      redisUrl = redis.url;
    }
    if (abort.signal.aborted) return 130;

    // 3. Configuration of every service, checked before anything runs. Outside production a
    // ballot sealing key of the stack's own is kept in the data dir (docs/secrecy.md).
    const env = { ...process.env, ...serviceEnv(process.env, { databaseUrl, redisUrl }, opts.scale) };
    if (!env.BALLOT_KEYS && env.NODE_ENV !== 'production') env.BALLOT_KEYS = await localBallotKeys(opts.dataDir, log);
    if (!env.RESULTS_SIGNING_KEY && env.NODE_ENV !== 'production') env.RESULTS_SIGNING_KEY = await localSigningKey(opts.dataDir, log);
    checkServiceConfigs(opts.services, env);
    const selected = SERVICES.filter((s) => opts.services.includes(s.name));
    for (const s of selected) {
      if (!existsSync(path.join(ROOT, s.entry))) throw new StackError(`${s.name}: ${s.entry} does not exist`, `run without it: --services ${opts.services.filter((n) => n !== s.name).join(',')}`);
    }
    const ports = stackPorts(env);
    // Each instance on its own port (docs/running.md#several-instances-of-a-service).
    const instances = stackInstances(opts.services, opts.scale, ports);
    for (const i of instances) {
      if (!(await portFree(i.port))) {
        throw new StackError(`${i.name}: port ${i.port} is in use`, `stop what listens there, or set ${portVariable(i.service)} to another port`);
      }
    }

    // 4. Schema and demo data.
    await prepareDatabase(databaseUrl, opts);
    if (abort.signal.aborted) return 130;

    // 5. The services, in one terminal with prefixed, coloured logs, each restarted with a
    // back-off when it exits on its own. The worker may take up to 30 s to finish its
    // current jobs (close-with-grace delay) before SIGKILL.
    const spec = (name: ServiceName) => SERVICES.find((s) => s.name === name)!;
    services = superviseServices(
      instances.map((i) => ({ name: i.name, command: serviceCommand(spec(i.service).entry), color: spec(i.service).color, env: { ...serviceSecrets(env, i.service), [portVariable(i.service)]: String(i.port) }, cwd: ROOT })),
      { forceAfterMs: 35_000, log },
    );
    const running = services;
    // Where this stack's stores are, for `pnpm primaries` (stack/state.ts).
    await writeStackState(opts.dataDir, { pid: process.pid, databaseUrl, redisUrl, ...(env.REDIS_PREFIX ? { redisPrefix: env.REDIS_PREFIX } : {}), ...(process.env.REDIS_SENTINELS ? { redisSentinels: process.env.REDIS_SENTINELS, redisSentinelName: env.REDIS_SENTINEL_NAME || 'mymaster' } : {}), ports: { ...ports }, instances: instancesByService(instances) });
    cleanups.unshift(() => removeStackState(opts.dataDir, process.pid));

    const voteHost = env.VOTE_HOST || 'vote.localhost';
    const resultsHost = env.RESULTS_HOST || 'localhost';
    const targets: HealthTarget[] = instances.map((i) => ({ label: i.name, url: `http://127.0.0.1:${i.port}${spec(i.service).healthPath}` }));
    if (opts.services.includes('gateway')) {
      if (opts.services.includes('vote')) targets.push({ label: `gateway → vote (Host: ${voteHost})`, url: `http://127.0.0.1:${ports.gateway}/health`, host: voteHost });
      if (opts.services.includes('results')) targets.push({ label: `gateway → results (Host: ${resultsHost})`, url: `http://127.0.0.1:${ports.gateway}/health`, host: resultsHost });
    }
    const ready = new AbortController();
    abort.signal.addEventListener('abort', () => ready.abort());
    const notHealthy = await waitHealthy(targets, { timeoutMs: opts.timeout * 1000, signal: ready.signal });

    if (!abort.signal.aborted && notHealthy.length > 0) {
      log(`not healthy after ${opts.timeout} s: ${notHealthy.join(', ')}; stopping`);
      running.stop();
      await running.finished;
      return 1;
    }
    if (!abort.signal.aborted) {
      const at = (host: string) => `http://${host}${ports.gateway === 80 ? '' : `:${ports.gateway}`}`;
      const lines = [
        `up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ...(opts.services.includes('gateway') && opts.services.includes('vote') ? [`  vote site      ${at(voteHost)}`] : []),
        ...(opts.services.includes('gateway') && opts.services.includes('results') ? [`  results site   ${at(resultsHost)}`] : []),
        ...(opts.services.includes('gateway') && opts.services.includes('admin') ? [`  officials      ${at(env.ADMIN_HOST || 'admin.localhost')}   (pnpm primaries staff add --role organizer)`] : []),
        ...instances.map((i) => `  ${i.name.padEnd(14)} http://127.0.0.1:${i.port}  (${i.service === 'gateway' ? '/_gateway/health …' : `/health /ready /metrics${i.service === 'worker' ? '' : ' /docs'}`})`),
        `  Postgres       ${safeUrl(databaseUrl)}`,
        `  Redis          ${process.env.REDIS_SENTINELS ? `the master ${env.REDIS_SENTINEL_NAME || 'mymaster'} of the sentinels ${process.env.REDIS_SENTINELS}` : safeUrl(redisUrl)}`,
        ...(env.SMS_PROVIDER === 'http' ? [] : ['  SMS codes      pnpm primaries sms tail   (SMS_PROVIDER=outbox)']),
        'A service that exits is restarted; Ctrl-C stops everything.',
      ];
      log(lines.join('\n'));
    }
    // Until a signal: stopped then with every service closing cleanly, 0; otherwise 1.
    const ok = await running.finished;
    return ok ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof StackError) {
      console.error(`[start] ${err.message}\n[start] fix: ${err.fix}`);
    } else if (err instanceof ConfigError) {
      console.error(`[start] ${err.message}`);
    } else {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    }
    process.exit(1);
  },
);
