import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, createTestRedis, freePort, waitFor } from '@primaries/testing';
import type { TestDatabase, TestRedis } from '@primaries/testing';
import { httpStatus } from '../src/stack/health';
import { probePostgres } from '../src/stack/postgres';
import { probeRedis } from '../src/stack/redis';
import { ROOT, type Run, alive, pidOf, runStart, stop } from './start-run';

// `pnpm start` run for real as a child process: real Postgres and Redis, real services,
// ephemeral ports, then stopped by a signal as Ctrl-C would.
describe('pnpm start', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let run: Run | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('start');
    redis = await createTestRedis('start');
  });
  afterEach(async () => {
    await stop(run);
    run = undefined;
  });
  afterAll(async () => {
    await redis.cleanup();
    await db.drop();
  });

  it('runs the whole stack behind the gateway, seeded, and stops it cleanly on SIGTERM', async () => {
    const ports = { gateway: await freePort(), vote: await freePort(), results: await freePort(), worker: await freePort() };
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'primaries-start-'));
    try {
      run = runStart(['--members', '300', '--data-dir', dataDir, '--timeout', '80'], {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        GATEWAY_PORT: String(ports.gateway),
        VOTE_PORT: String(ports.vote),
        RESULTS_PORT: String(ports.results),
        WORKER_PORT: String(ports.worker),
      });
      const current = run;
      await waitFor(() => /up in [\d.]+ s/.test(current.output()) || current.child.exitCode !== null, { timeoutMs: 85_000, intervalMs: 200, message: 'the stack to be up' });
      expect(current.output()).toMatch(`vote site      http://vote.localhost:${ports.gateway}`);
      expect(current.output()).toMatch(`results site   http://localhost:${ports.gateway}`);

      // The sites are reachable through the gateway by Host, and the worker on its own port.
      const gw = `http://127.0.0.1:${ports.gateway}`;
      expect(await httpStatus(`${gw}/health`, 'vote.localhost')).toBe(200);
      expect(await httpStatus(`${gw}/health`, 'localhost')).toBe(200);
      expect(await httpStatus(`${gw}/health`, 'elsewhere.example')).toBe(404);
      expect(await httpStatus(`http://127.0.0.1:${ports.worker}/health`)).toBe(200);

      // The empty database got the schema and the demo election.
      const elections = await db.db.selectFrom('elections').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(Number(elections.n)).toBe(1);
      const members = await db.db.selectFrom('members').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      expect(Number(members.n)).toBe(300);
      // A ballot sealing key of its own, in the data dir, readable by its owner only.
      const keyFile = await stat(path.join(dataDir, 'ballot-keys'));
      expect(keyFile.mode & 0o777).toBe(0o600);
      expect(current.output()).toMatch('generated a ballot sealing key');

      // stack.json tells `pnpm primaries` where the stores are.
      const state = JSON.parse(await readFile(path.join(dataDir, 'stack.json'), 'utf8')) as Record<string, unknown>;
      expect(state).toMatchObject({ pid: current.child.pid, databaseUrl: db.url, redisUrl: redis.url, redisPrefix: redis.prefix });

      // Supervision: a service killed hard comes back after a back-off; the others keep running.
      const pids = { gateway: pidOf(current.output(), 'gateway')!, vote: pidOf(current.output(), 'vote')!, results: pidOf(current.output(), 'results')!, worker: pidOf(current.output(), 'worker')! };
      expect(Object.values(pids).every((p) => p > 0)).toBe(true);
      process.kill(pids.vote, 'SIGKILL');
      await waitFor(() => /vote exited unexpectedly \(SIGKILL\); restarting in 1 s/.test(current.output()), { timeoutMs: 10_000, message: 'the supervisor to see vote die' });
      await waitFor(() => (pidOf(current.output(), 'vote') ?? pids.vote) !== pids.vote, { timeoutMs: 10_000, message: 'vote to be restarted' });
      // Meanwhile the results site is served through the gateway.
      expect(await httpStatus(`${gw}/health`, 'localhost')).toBe(200);
      await waitFor(async () => (await httpStatus(`${gw}/health`, 'vote.localhost')) === 200, { timeoutMs: 60_000, intervalMs: 250, message: 'vote healthy again' });
      const after = { gateway: pidOf(current.output(), 'gateway'), results: pidOf(current.output(), 'results'), worker: pidOf(current.output(), 'worker') };
      expect(after).toEqual({ gateway: pids.gateway, results: pids.results, worker: pids.worker });
      expect(current.child.exitCode).toBeNull();

      current.child.kill('SIGTERM');
      const code = await current.exited;
      // Output in the failure message: which service did not close cleanly.
      expect({ code, output: code === 0 ? '' : current.output() }).toEqual({ code: 0, output: '' });
      // No orphans: every service process (the restarted vote included) is gone, and stack.json with them.
      for (const p of [pids.gateway, pids.results, pids.worker, pidOf(current.output(), 'vote')!]) expect(alive(p)).toBe(false);
      await expect(stat(path.join(dataDir, 'stack.json'))).rejects.toThrow('ENOENT');
      for (const p of Object.values(ports)) expect(await httpStatus(`http://127.0.0.1:${p}/health`)).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs an embedded Postgres and its own redis-server when nothing answers, and stops both', async () => {
    const [pgPort, redisPort, deadPg, deadRedis, workerPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'primaries-start-'));
    // Run as root, Postgres runs as the postgres user, which must reach its data directory.
    await chmod(dataDir, 0o755);
    try {
      run = runStart(['--services', 'worker', '--no-seed', '--data-dir', dataDir, '--pg-port', String(pgPort), '--redis-port', String(redisPort)], {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPg}/primaries`,
        REDIS_URL: `redis://127.0.0.1:${deadRedis}`,
        REDIS_PREFIX: redis.prefix,
        WORKER_PORT: String(workerPort),
      });
      const current = run;
      await waitFor(() => /up in [\d.]+ s/.test(current.output()) || current.child.exitCode !== null, { timeoutMs: 85_000, intervalMs: 200, message: 'the stack to be up' });
      expect(current.output()).toMatch(`Postgres       postgres://postgres@127.0.0.1:${pgPort}/primaries`);
      expect(current.output()).toMatch(`Redis          redis://127.0.0.1:${redisPort}`);
      expect(await httpStatus(`http://127.0.0.1:${workerPort}/ready`)).toBe(200);
      // `pnpm primaries` finds that Redis through stack.json, with no REDIS_URL of its own.
      const cliEnv: NodeJS.ProcessEnv = { ...process.env, PRIMARIES_DATA_DIR: dataDir, REDIS_PREFIX: redis.prefix, NODE_ENV: 'development' };
      delete cliEnv.REDIS_URL;
      delete cliEnv.DATABASE_URL;
      const show = spawnSync(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'results', 'show'], { cwd: ROOT, env: cliEnv, encoding: 'utf8', timeout: 45_000 });
      expect({ status: show.status, stderr: show.stderr }).toEqual({ status: 0, stderr: '' });
      expect(show.stdout).toBe('no results snapshot published yet\n');

      current.child.kill('SIGINT');
      const code = await current.exited;
      expect({ code, output: code === 0 ? '' : current.output() }).toEqual({ code: 0, output: '' });
      expect(current.output()).toMatch('stopping embedded Postgres');
      expect(current.output()).toMatch('stopping redis-server');
      // Both servers are gone, and their data stays for the next run.
      expect((await probePostgres(`postgres://postgres@127.0.0.1:${pgPort}/primaries`, 1000)).ok).toBe(false);
      expect(await probeRedis(`redis://127.0.0.1:${redisPort}`, 1000)).toBe(false);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('stops everything when the `pnpm start` process itself gets SIGTERM (pnpm does not pass it on)', async () => {
    const workerPort = await freePort();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'primaries-start-'));
    const child = spawn('pnpm', ['start', '--services', 'worker', '--no-seed', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', DATABASE_URL: db.url, REDIS_URL: redis.url, REDIS_PREFIX: redis.prefix, WORKER_PORT: String(workerPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => /up in [\d.]+ s/.test(out) || child.exitCode !== null, { timeoutMs: 60_000, intervalMs: 200, message: 'the stack to be up' });
      const startPid = (JSON.parse(await readFile(path.join(dataDir, 'stack.json'), 'utf8')) as { pid: number }).pid;
      const workerPid = pidOf(out, 'worker')!;
      expect(startPid).not.toBe(child.pid);
      expect([alive(startPid), alive(workerPid)]).toEqual([true, true]);

      child.kill('SIGTERM');
      await exited;
      await waitFor(() => !alive(startPid) && !alive(workerPid), { timeoutMs: 45_000, intervalMs: 200, message: 'start and the worker to be gone' });
      expect(await httpStatus(`http://127.0.0.1:${workerPort}/health`)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('restarts a service that keeps dying with a back-off while the others run, and gives up at --timeout', async () => {
    const [gateway, results] = [await freePort(), await freePort()];
    // An address this machine does not have (TEST-NET-3): the gateway fails to listen and exits, each time.
    run = runStart(['--services', 'gateway,results', '--no-seed', '--timeout', '20'], {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      GATEWAY_PORT: String(gateway),
      GATEWAY_BIND: '203.0.113.7',
      RESULTS_PORT: String(results),
    });
    const current = run;
    await waitFor(() => /gateway exited unexpectedly \(exit code \d+\); restarting in 2 s/.test(current.output()), { timeoutMs: 60_000, intervalMs: 200, message: 'a second restart, backed off' });
    // The results service was not stopped because the gateway died.
    await waitFor(async () => (await httpStatus(`http://127.0.0.1:${results}/health`)) === 200, { timeoutMs: 30_000, intervalMs: 250, message: 'results up' });
    expect(await current.exited).toBe(1);
    expect(current.output()).toMatch('restarting in 1 s');
    expect(current.output()).toMatch(/not healthy after 20 s: gateway/);
    expect(current.output()).not.toMatch(/up in [\d.]+ s/);
    expect(await httpStatus(`http://127.0.0.1:${results}/health`)).toBe(0);
    expect(alive(pidOf(current.output(), 'results')!)).toBe(false);
  }, 90_000);

  it('names the fix when the configured Postgres is remote and down', async () => {
    run = runStart(['--no-seed'], { DATABASE_URL: 'postgres://postgres@db.invalid:5432/primaries' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/no Postgres answers at db\.invalid:5432/);
    expect(run.output()).toMatch(/fix: start that server, or unset DATABASE_URL/);
  }, 30_000);

  it('refuses an unknown service name', async () => {
    run = runStart(['--services', 'vote,ballotbox'], {});
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/--services.*choose from gateway, vote, results, worker/);
  }, 30_000);
});
