import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { outboxProvider } from '@primaries/queue';
import { type OwnRedis, type TestDatabase, type TestRedis, createTestDatabase, createTestRedis, freePort, startOwnRedis, waitFor } from '@primaries/testing';
import { writeStackState } from '../src/stack/state';

// Issue #8: `pnpm primaries` finds the stores of a running `pnpm start` (its stack.json) when
// the environment names none, and a store it cannot reach is one line on stderr and exit
// code 1 — before, `sms tail` and `results rebuild` used REDIS_URL's default and printed
// nothing, hung, or looped on connection-refused stack traces even with --once.
const ROOT = path.join(__dirname, '..', '..', '..');

interface Ran {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

function cli(args: string[], env: Record<string, string>, opts: { timeoutMs?: number; onStart?: (child: ReturnType<typeof spawn>) => void } = {}): Promise<Ran> {
  const base = { ...process.env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'REDIS_PREFIX', 'REDIS_SENTINELS', 'BALLOT_KEYS']) delete base[k];
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'packages/cli/src/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...base, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  opts.onStart?.(child);
  // A command that hangs is a failure: killed after the timeout, it shows as code null.
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 45_000);
  return new Promise((resolve) => child.once('close', (code) => {
    clearTimeout(timer);
    resolve({ code, out, err, ms: Date.now() - started });
  }));
}

let db: TestDatabase;
let r: TestRedis;
let dataDir: string;
beforeAll(async () => {
  [db, r] = await Promise.all([createTestDatabase('stackstate'), createTestRedis('stackstate')]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'primaries-state-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await r.cleanup();
  await db.drop();
});

describe('pnpm primaries and the stack.json of pnpm start', () => {
  it('uses the stores pnpm start recorded when the environment names none', async () => {
    // This process stands in for the running `pnpm start` (the file names a live pid).
    await writeStackState(dataDir, { pid: process.pid, databaseUrl: db.url, redisUrl: r.url, redisPrefix: r.prefix });
    await outboxProvider(r.redis, r.prefix).send({ to: '+77010000009', text: 'from the stack 999999' });
    const [tail, migrate, show] = await Promise.all([
      cli(['sms', 'tail', '--once'], { PRIMARIES_DATA_DIR: dataDir }),
      cli(['db', 'migrate'], { PRIMARIES_DATA_DIR: dataDir }),
      cli(['results', 'show'], { PRIMARIES_DATA_DIR: dataDir }),
    ]);
    expect(tail).toMatchObject({ code: 0, err: '' });
    expect(tail.out).toContain('from the stack 999999');
    expect(migrate).toMatchObject({ code: 0, out: 'schema is up to date\n' });
    expect(show).toMatchObject({ code: 0, out: 'no results snapshot published yet\n' });
  }, 60_000);

  it('ignores a stack.json whose pnpm start is gone', async () => {
    const stale = await mkdtemp(path.join(os.tmpdir(), 'primaries-state-'));
    try {
      // A pid that exited: the stores it names are not used, the environment's are.
      const gone = spawn(process.execPath, ['-e', '0']);
      await new Promise((resolve) => gone.once('exit', resolve));
      await writeStackState(stale, { pid: gone.pid!, databaseUrl: 'postgres://postgres@127.0.0.1:1/none', redisUrl: 'redis://127.0.0.1:1' });
      const tail = await cli(['sms', 'tail', '--once'], { PRIMARIES_DATA_DIR: stale, REDIS_URL: r.url, REDIS_PREFIX: r.prefix });
      expect(tail).toMatchObject({ code: 0, err: '' });
      expect(tail.out).toContain('from the stack 999999');
    } finally {
      await rm(stale, { recursive: true, force: true });
    }
  }, 30_000);

  it('answers a store it cannot reach with one line and exit code 1, for every command, without hanging', async () => {
    const dead = await mkdtemp(path.join(os.tmpdir(), 'primaries-state-'));
    try {
      const [pgPort, redisPort] = [await freePort(), await freePort()];
      await writeStackState(dead, { pid: process.pid, databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/primaries`, redisUrl: `redis://127.0.0.1:${redisPort}` });
      const commands: Array<[string[], 'Redis' | 'Postgres', number]> = [
        [['sms', 'tail'], 'Redis', redisPort],
        [['sms', 'tail', '--once'], 'Redis', redisPort],
        [['results', 'rebuild'], 'Redis', redisPort],
        [['results', 'rebuild', '--direct'], 'Postgres', pgPort],
        [['results', 'show'], 'Redis', redisPort],
        [['dead-letters', 'list'], 'Redis', redisPort],
        [['db', 'migrate'], 'Postgres', pgPort],
        [['members', 'import', 'nothing.csv'], 'Postgres', pgPort],
      ];
      // Two at a time: eight CLI start-ups at once on a loaded two-core machine can take longer
      // than the hang timeout without any of them hanging.
      const runs: Ran[] = [];
      for (let i = 0; i < commands.length; i += 2) {
        runs.push(...(await Promise.all(commands.slice(i, i + 2).map(([args]) => cli(args, { PRIMARIES_DATA_DIR: dead })))));
      }
      runs.forEach((ran, i) => {
        const [args, store, port] = commands[i]!;
        expect({ args, code: ran.code, out: ran.out, lines: ran.err.trimEnd().split('\n') }).toEqual({
          args,
          code: 1,
          out: '',
          lines: [expect.stringMatching(new RegExp(`^primaries: cannot reach ${store} at 127\\.0\\.0\\.1:${port} \\(from .*stack\\.json, written by pnpm start\\): nothing answers$`))],
        });
      });
      // With nothing in the environment nor a stack.json: the default, and a hint.
      const none = await cli(['results', 'show'], { PRIMARIES_DATA_DIR: path.join(dead, 'nothing-here'), REDIS_URL: `redis://127.0.0.1:${redisPort}` });
      expect(none).toMatchObject({ code: 1, out: '', err: `primaries: cannot reach Redis at 127.0.0.1:${redisPort} (from REDIS_URL): nothing answers\n` });
    } finally {
      await rm(dead, { recursive: true, force: true });
    }
  }, 240_000);

  it('ends `sms tail` with one line and exit code 1 when Redis goes away while it follows', async () => {
    let own: OwnRedis | undefined = await startOwnRedis();
    try {
      let following: (() => boolean) | undefined;
      const ran = cli(['sms', 'tail', '-n', '0'], { PRIMARIES_DATA_DIR: path.join(dataDir, 'none'), REDIS_URL: own.url }, {
        onStart: (child) => {
          let err = '';
          child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
          following = () => err.includes('following');
        },
      });
      await waitFor(() => following?.() ?? false, { timeoutMs: 20_000, message: 'tail to follow' });
      await own.destroy();
      own = undefined;
      const result = await ran;
      expect({ code: result.code, lines: result.err.trimEnd().split('\n') }).toEqual({
        code: 1,
        lines: [expect.stringMatching(/^following /), expect.stringMatching(/^primaries: lost Redis at 127\.0\.0\.1:\d+ \(from REDIS_URL\): /)],
      });
    } finally {
      await own?.destroy();
    }
  }, 60_000);
});
