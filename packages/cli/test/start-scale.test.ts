import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, createTestRedis, freePort, waitFor } from '@primaries/testing';
import type { TestDatabase, TestRedis } from '@primaries/testing';
import { httpStatus } from '../src/stack/health';
import { type Run, pidOf, runStart, stop } from './start-run';

// `pnpm start --scale` run for real (issue #17): several instances of a service, each on its
// own port and supervised, recorded in stack.json, balanced by the gateway.
describe('pnpm start --scale', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let run: Run | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('startscale');
    redis = await createTestRedis('startscale');
  });
  afterEach(async () => {
    await stop(run);
    run = undefined;
  });
  afterAll(async () => {
    await redis.cleanup();
    await db.drop();
  });

  it('runs two vote and two worker instances on their own ports, recorded in stack.json, balanced by the gateway', async () => {
    const ports = { gateway: await freePort(), vote: await freePort(), worker: await freePort() };
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'primaries-start-scale-'));
    try {
      run = runStart(['--services', 'gateway,vote,worker', '--scale', 'vote=2,worker=2', '--no-seed', '--data-dir', dataDir, '--timeout', '80'], {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: redis.prefix,
        GATEWAY_PORT: String(ports.gateway),
        VOTE_PORT: String(ports.vote),
        WORKER_PORT: String(ports.worker),
        GATEWAY_UPSTREAM_PROBE_INTERVAL_MS: '200',
      });
      const current = run;
      await waitFor(() => /up in [\d.]+ s/.test(current.output()) || current.child.exitCode !== null, { timeoutMs: 85_000, intervalMs: 200, message: 'the stack to be up' });
      const vote = [ports.vote, ports.vote + 100];
      const worker = [ports.worker, ports.worker + 100];
      expect(current.output()).toMatch(`vote-2         http://127.0.0.1:${vote[1]}`);
      for (const p of [...vote, ...worker]) expect(await httpStatus(`http://127.0.0.1:${p}/health`)).toBe(200);

      const state = JSON.parse(await readFile(path.join(dataDir, 'stack.json'), 'utf8')) as Record<string, unknown>;
      expect(state.instances).toEqual({ gateway: [ports.gateway], vote, worker });

      const gw = `http://127.0.0.1:${ports.gateway}`;
      const ready = await fetch(`${gw}/_gateway/ready`).then((r) => r.json() as Promise<{ upstreams: Record<string, { url: string; healthy: boolean }[]> }>);
      expect(ready.upstreams.vote).toEqual(vote.map((p) => expect.objectContaining({ url: `http://127.0.0.1:${p}`, healthy: true })));

      // One vote instance killed: the supervisor restarts it; meanwhile the gateway sends everything to the other.
      const pid = pidOf(current.output(), 'vote-2')!;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => /vote-2 exited unexpectedly \(SIGKILL\); restarting in 1 s/.test(current.output()), { timeoutMs: 10_000, message: 'the supervisor to see vote-2 die' });
      const statuses = [];
      for (let i = 0; i < 10; i++) statuses.push(await httpStatus(`${gw}/health`, 'vote.localhost'));
      expect(statuses).toEqual(Array(10).fill(200));
      await waitFor(() => (pidOf(current.output(), 'vote-2') ?? pid) !== pid, { timeoutMs: 10_000, message: 'vote-2 to be restarted' });
      // Back, and back in the gateway's rotation (the probe).
      await waitFor(async () => (await httpStatus(`http://127.0.0.1:${vote[1]}/health`)) === 200, { timeoutMs: 60_000, intervalMs: 250, message: 'vote-2 healthy again' });
      await waitFor(async () => {
        const r = await fetch(`${gw}/_gateway/ready`).then((res) => res.json() as Promise<{ upstreams: Record<string, { healthy: boolean }[]> }>);
        return r.upstreams.vote?.every((i) => i.healthy) ?? false;
      }, { timeoutMs: 10_000, message: 'vote-2 back in the rotation' });

      current.child.kill('SIGTERM');
      const code = await current.exited;
      expect({ code, output: code === 0 ? '' : current.output() }).toEqual({ code: 0, output: '' });
      for (const p of [...vote, ...worker]) expect(await httpStatus(`http://127.0.0.1:${p}/health`)).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses to scale the gateway, or beyond 9 instances', async () => {
    run = runStart(['--scale', 'gateway=2'], {});
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/--scale.*"gateway=2": write service=count, the service one of vote, results, worker, admin/);
    run = runStart(['--scale', 'vote=10'], {});
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/"vote=10": from 1 to 9 instances/);
  }, 30_000);
});
