import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { RunRecord } from '../kit/run';
import { type LocalStack, ROOT, startLocalStack } from '../kit/stack';

/**
 * Against a deployment the kit knows only what an operator gives it: the public address
 * and hosts, the rehearsal database, the rehearsal token, the metrics addresses. Here the
 * "deployment" is a stack this test starts with the rehearsal SMS provider: voters sign
 * in through the API with codes read from the rehearsal outbox, and the synthetic members
 * are gone afterwards.
 */
jest.setTimeout(300_000);

const TOKEN = 'a-rehearsal-token-of-32-characters-or-more';
const OPS_TOKEN = 'an-ops-token-of-32-characters-or-more-for-the-gateway';
let stack: LocalStack;
let out: string;

beforeAll(async () => {
  stack = await startLocalStack('kitrehearsal', { SMS_PROVIDER: 'rehearsal', REHEARSAL_TOKEN: TOKEN, OPS_TOKEN });
  out = await mkdtemp(path.join(tmpdir(), 'loadkit-rehearsal-'));
});
afterAll(async () => {
  await stack?.stop();
  if (out) await rm(out, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'loadtest', 'kit', 'cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, REHEARSAL_TOKEN: '', OPS_TOKEN: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

it('votes through a rehearsal deployment with synthetic members it signs in and removes', async () => {
  const members = async () => Number((await sql<{ n: string }>`select count(*) n from members`.execute(stack.tdb.db)).rows[0]!.n);
  const before = await members();
  const r = await cli([
    'voting',
    '--url', stack.url,
    '--vote-host', stack.voteHost,
    '--results-host', stack.resultsHost,
    '--database-url', stack.databaseUrl,
    '--rehearsal-token', TOKEN,
    // The worker's metrics on its internal port; the others through the gateway with the ops token.
    '--metrics', `worker=${stack.services.find((s) => s.name === 'worker')!.metricsUrl}`,
    '--ops-token', OPS_TOKEN,
    '--members', '60', '--connections', '6', '--duration', '2', '--quiet', '--out', out, '--max-error-rate', '0',
  ]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const file = (await readdir(out)).find((f) => f.endsWith('.json'))!;
  const record = JSON.parse(await readFile(path.join(out, file), 'utf8')) as RunRecord;
  expect(record.target.local).toBe(false);
  expect(record.services['vote']!.some((x) => typeof x.votesBacklog === 'number')).toBe(true);
  expect(record.services['results']!.some((x) => typeof x.snapshotAgeSeconds === 'number')).toBe(true);
  for (const name of ['gateway', 'vote', 'results', 'worker']) expect(record.services[name]!.some((x) => x.rssMb !== null)).toBe(true);
  expect(record.streams[0]!.totals.statuses['202']).toBeGreaterThan(0);
  // Ballots went in; the members that cast them are gone again.
  const ballots = Number((await sql<{ n: string }>`select count(*) n from (select 1 from ballots union all select 1 from sealed_ballots) b`.execute(stack.tdb.db)).rows[0]!.n);
  expect(ballots).toBeGreaterThan(0);
  expect(await members()).toBe(before);

  // Without the token the outbox cannot be read: the run stops before any load.
  const refused = await cli(['voting', '--url', stack.url, '--database-url', stack.databaseUrl, '--members', '5', '--duration', '1', '--quiet', '--out', out]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/rehearsal\/sms\) answered 404/);
  expect(await members()).toBe(before);

  // Without the ops token the gateway keeps the services' metrics to itself: gaps, not zeros.
  const blind = await cli(['results-viewers', '--url', stack.url, '--duration', '1', '--connections', '2', '--quiet', '--out', out, '--label', 'blind']);
  expect(blind.code).toBe(0);
  const blindFile = (await readdir(out)).find((f) => f.includes('-blind-') && f.endsWith('.json'))!;
  const blindRecord = JSON.parse(await readFile(path.join(out, blindFile), 'utf8')) as RunRecord;
  for (const rows of Object.values(blindRecord.services)) expect(rows.every((x) => x.rssMb === null && x.cpuPct === null)).toBe(true);
});
