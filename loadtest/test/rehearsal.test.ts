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
 * "deployment" is a stack this test starts with the rehearsal SMS provider, its register's
 * members real and its own election over: the command creates a rehearsal election and
 * synthetic members, voters sign in through the API with codes read from the rehearsal
 * outbox, and afterwards the synthetic members and the election's contents are gone and
 * no real member's row was touched.
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

/** Every real member's row as it stands, and how many rows name real members elsewhere. */
async function realState() {
  const db = stack.tdb.db;
  const members = await sql<{ rows: string }>`select md5(coalesce(string_agg(m::text, '|' order by id), '')) as rows from members m where primary_org not like 'rehearsal:%'`.execute(db);
  const named = await sql<{ n: string }>`
    select (select count(*) from authorizations a join members m on m.id = a.member_id where m.primary_org not like 'rehearsal:%')
         + (select count(*) from participation p join members m on m.id = p.member_id where m.primary_org not like 'rehearsal:%') as n`.execute(db);
  return { members: members.rows[0]!.rows, named: named.rows[0]!.n };
}

/** What a rehearsal may leave behind: nothing but closed, empty election rows that the audit trail names. */
async function leftovers(electionsBefore: number[]) {
  const db = stack.tdb.db;
  const others = await sql<{ id: number; slug: string; closed: boolean; audited: boolean }>`
    select id, slug, closed_at is not null as closed, exists (select 1 from audit_events a where a.election_id = e.id) as audited
    from elections e where not (id = any(${electionsBefore}))`.execute(db);
  const ids = others.rows.map((r) => r.id);
  const count = async (q: string) => Number((await sql<{ n: string }>`select count(*) n from ${sql.raw(q)} where contest_id in (select id from contests where election_id = any(${ids}))`.execute(db)).rows[0]!.n);
  return {
    elections: others.rows.map((r) => ({ rehearsal: r.slug.startsWith('rehearsal-'), closed: r.closed, audited: r.audited })),
    contests: Number((await sql<{ n: string }>`select count(*) n from contests where election_id = any(${ids})`.execute(db)).rows[0]!.n),
    rows: (await Promise.all(['candidates', 'participation', 'ballots', 'sealed_ballots', 'receipts'].map(count))).reduce((a, b) => a + b, 0),
    synthetic: Number((await sql<{ n: string }>`select count(*) n from members where primary_org like 'rehearsal:%'`.execute(db)).rows[0]!.n),
  };
}

it('creates its own rehearsal election and synthetic members on a deployment, votes through it, and removes them', async () => {
  // The deployment's own election is over: a rehearsal runs where no election is open.
  await sql`update elections set opens_at = now() - interval '2 hours', closes_at = now() - interval '1 minute' where id = ${stack.election.electionId}`.execute(stack.tdb.db);
  const electionsBefore = (await sql<{ id: number }>`select id from elections`.execute(stack.tdb.db)).rows.map((r) => r.id);
  const before = await realState();
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
  // The ballots went into an election the command made, with members it made and removed.
  expect(record.rehearsal).toMatchObject({ created: 60, removed: 60 });
  expect(record.rehearsal!.election).toMatch(/^rehearsal-[0-9a-f]{8}$/);
  const made = (await sql<{ id: number }>`select id from elections where slug = ${record.rehearsal!.election}`.execute(stack.tdb.db)).rows;
  const opened = await sql<{ n: string }>`select count(*) n from audit_events where action = 'election.opened' and election_id = any(${made.map((m) => m.id)})`.execute(stack.tdb.db);
  expect(Number(opened.rows[0]!.n) + made.length).toBeGreaterThan(0);
  // Nothing of it is left but, at most, the closed election row the audit trail names; no real member was touched.
  const left = await leftovers(electionsBefore);
  expect({ ...left, elections: left.elections.filter((e) => !(e.rehearsal && e.closed && e.audited)) }).toEqual({ elections: [], contests: 0, rows: 0, synthetic: 0 });
  expect(await realState()).toEqual(before);

  // Without the token the outbox cannot be read: the run stops before any load.
  const refused = await cli(['voting', '--url', stack.url, '--database-url', stack.databaseUrl, '--members', '5', '--duration', '1', '--quiet', '--out', out]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/rehearsal\/sms\) answered 404/);
  const leftAfterRefusal = await leftovers(electionsBefore);
  expect({ ...leftAfterRefusal, elections: leftAfterRefusal.elections.filter((e) => !(e.rehearsal && e.closed && e.audited)) }).toEqual({ elections: [], contests: 0, rows: 0, synthetic: 0 });
  expect(await realState()).toEqual(before);

  // Without the ops token the gateway keeps the services' metrics to itself: gaps, not zeros.
  const blind = await cli(['results-viewers', '--url', stack.url, '--duration', '1', '--connections', '2', '--quiet', '--out', out, '--label', 'blind']);
  expect(blind.code).toBe(0);
  const blindFile = (await readdir(out)).find((f) => f.includes('-blind-') && f.endsWith('.json'))!;
  const blindRecord = JSON.parse(await readFile(path.join(out, blindFile), 'utf8')) as RunRecord;
  for (const rows of Object.values(blindRecord.services)) expect(rows.every((x) => x.rssMb === null && x.cpuPct === null)).toBe(true);
});
