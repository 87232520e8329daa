import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import { outboxProvider } from '@primaries/queue';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';

// `pnpm primaries sms tail` reads the local SMS outbox (docs/running.md): earlier messages
// with -n/--once, then follows new ones until Ctrl-C.
const ROOT = path.join(__dirname, '..', '..', '..');

let r: TestRedis;
beforeAll(async () => {
  r = await createTestRedis('smstail');
});
afterAll(async () => {
  await r.cleanup();
});

function tail(args: string[]): { child: ChildProcessWithoutNullStreams; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'packages/cli/src/main.ts'), 'sms', 'tail', ...args], {
    cwd: ROOT,
    env: { ...process.env, REDIS_URL: r.url, REDIS_PREFIX: r.prefix, NODE_ENV: 'test' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

describe('primaries sms tail', () => {
  it('prints the last messages, filtered by phone, and exits with --once', async () => {
    const outbox = outboxProvider(r.redis, r.prefix);
    await outbox.send({ to: '+77010000001', text: 'first 111111' });
    await outbox.send({ to: '+77010000002', text: 'second 222222' });
    await outbox.send({ to: '+77010000001', text: 'third 333333' });

    const all = tail(['--once', '-n', '2']);
    expect(await all.exited).toBe(0);
    expect(all.out()).not.toContain('first 111111');
    expect(all.out()).toMatch(/second 222222[\s\S]*third 333333/);

    const one = tail(['--once', '-n', '10', '--phone', '+77010000001']);
    expect(await one.exited).toBe(0);
    expect(one.out()).toContain('first 111111');
    expect(one.out()).toContain('third 333333');
    expect(one.out()).not.toContain('222222');
  }, 60_000);

  it('follows new messages until interrupted', async () => {
    const follow = tail(['-n', '0']);
    try {
      // It announces on stderr once it has resolved where to read from; send after that.
      await waitFor(() => follow.err().includes('following'), { timeoutMs: 30_000, message: 'tail to start following' });
      await outboxProvider(r.redis, r.prefix).send({ to: '+77010000003', text: 'live 444444' });
      await waitFor(() => follow.out().includes('live 444444'), { timeoutMs: 15_000, message: 'the new message' });
    } finally {
      follow.child.kill('SIGINT');
    }
    await follow.exited;
  }, 60_000);
});
