import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { writeRun } from '../kit/cli';
import { type RunRecord, type RunSettings, runLoad } from '../kit/run';
import { OPENING_HOUR_MIX, type ScenarioName } from '../kit/scenarios';
import { type LocalStack, ROOT, startLocalStack } from '../kit/stack';

/**
 * Each scenario runs briefly against a stack this file starts (four processes, own
 * database and Redis prefix), and its record and report carry the same figures as
 * autocannon's own summary of the same run.
 */
jest.setTimeout(300_000);

let stack: LocalStack;
let out: string;

beforeAll(async () => {
  stack = await startLocalStack('kittest');
  out = await mkdtemp(path.join(tmpdir(), 'loadkit-'));
});

afterAll(async () => {
  await stack?.stop();
  if (out) await rm(out, { recursive: true, force: true });
});

function settings(scenario: ScenarioName, extra: Partial<RunSettings> = {}): RunSettings {
  return { scenario, connections: 12, durationSeconds: 3, members: 400, mix: { ...OPENING_HOUR_MIX }, revalidate: 0.5, thresholds: {}, insecure: false, ...extra };
}

/** The figures a report shows are the ones autocannon counted. */
function expectMatchesAutocannon(r: RunRecord) {
  for (const s of r.streams) {
    expect(s.totals.answers).toBeGreaterThan(0);
    expect(s.totals.answers).toBe(s.autocannon.requestsTotal);
    expect(s.totals.statuses).toEqual(s.autocannon.statusCodeStats);
    expect(s.totals.transportErrors).toBe(s.autocannon.errors);
    expect(s.totals.timeouts).toBe(s.autocannon.timeouts);
    for (const k of ['p50', 'p90', 'p99', 'max'] as const) expect(s.totals.latency[k]).toBe(s.autocannon.latency[k]);
    expect(Math.abs(s.totals.latency.mean - s.autocannon.latency.mean)).toBeLessThan(0.05);
    // The time series adds up to the totals.
    expect(s.rows.reduce((n, row) => n + row.answers, 0)).toBe(s.totals.answers);
    expect(s.rows.reduce((n, row) => n + row.s2xx + row.s3xx + row.s4xx + row.s5xx, 0)).toBe(s.totals.answers);
  }
}

async function reportOf(r: RunRecord): Promise<string> {
  const files = await writeRun(r, out);
  return readFile(files.html, 'utf8');
}

it.each<[ScenarioName, string[]]>([
  ['login-storm', ['sign-ins']],
  ['voting', ['ballots']],
  ['results-viewers', ['viewers']],
  ['opening-hour', ['sign-ins', 'ballots', 'viewers']],
])('%s runs against the stack and its report matches autocannon', async (scenario, streams) => {
  const r = await runLoad(stack, settings(scenario));
  expect(r.streams.map((s) => s.name)).toEqual(streams);
  expectMatchesAutocannon(r);
  const good = r.streams.reduce((n, s) => n + s.totals.good, 0);
  expect(good).toBeGreaterThan(0);
  expect(r.all.answers).toBe(r.streams.reduce((n, s) => n + s.autocannon.requestsTotal, 0));
  // The whole run's percentiles are over every answer: one stream's own when there is one.
  if (r.streams.length === 1) expect(r.all.latency).toEqual(r.streams[0]!.totals.latency);
  expect(r.all.rows.reduce((n, row) => n + row.answers, 0)).toBe(r.all.answers);
  // Every service was read during the run: memory from /proc, the vote service's backlog gauge.
  for (const name of ['gateway', 'vote', 'results', 'worker']) expect(r.services[name]!.some((x) => x.rssMb !== null && x.loopP99Ms !== null)).toBe(true);
  expect(r.services['vote']!.some((x) => typeof x.votesBacklog === 'number')).toBe(true);
  expect(r.services['results']!.some((x) => typeof x.snapshotAgeSeconds === 'number')).toBe(true);

  const html = await reportOf(r);
  // Self-contained: no script, style or image from another host.
  // (booleans, so a failure does not print the whole page)
  expect(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i.test(html)).toBe(false);
  expect(html.includes('.uplot')).toBe(true);
  for (const s of r.streams) {
    expect(html.includes(`<td>${s.name}</td><td>${s.autocannon.requestsTotal}</td><td>${s.autocannon.latency.p50}</td><td>${s.autocannon.latency.p90}</td><td>${s.autocannon.latency.p99}</td>`)).toBe(true);
    const l = s.totals.latency;
    expect(html.includes(`<td>${s.name}</td><td>${s.connections}</td><td>${s.totals.answers}</td>`)).toBe(true);
    expect(html.includes(`<td>${l.p50}</td><td>${l.p90}</td><td>${l.p99}</td><td>${l.max}</td>`)).toBe(true);
  }
  const embedded = JSON.parse(/<script type="application\/json" id="run">(.*?)<\/script>/s.exec(html)![1]!.replace(/\\u003c/g, '<')) as RunRecord;
  expect(embedded.all.latency).toEqual(r.all.latency);
});

it('removes nothing but its own synthetic members, and leaves none behind on a deployment', async () => {
  // A target that is not disposable (as a deployment): the run removes the members it made.
  const before = Number((await sql<{ n: string }>`select count(*) n from members`.execute(stack.tdb.db)).rows[0]!.n);
  const r = await runLoad({ ...stack, disposable: false }, settings('login-storm', { members: 50 }));
  expect(r.streams[0]!.totals.good).toBeGreaterThan(0);
  const after = Number((await sql<{ n: string }>`select count(*) n from members`.execute(stack.tdb.db)).rows[0]!.n);
  expect(after).toBe(before);
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'loadtest', 'kit', 'cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, NODE_ENV: 'development' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('thresholds on the command line', () => {
  const target = () => ['--url', stack.url, '--metrics', stack.services.map((s) => `${s.name}=${s.metricsUrl}`).join(','), '--duration', '2', '--connections', '8', '--quiet', '--out', out];

  it('exits 0 when every threshold holds', async () => {
    const r = await cli(['results-viewers', ...target(), '--p99', '60000', '--max-error-rate', '1%', '--min-rps', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/PASS p99/);
  });

  it('exits non-zero when p99, the error rate or the throughput is broken', async () => {
    const p99 = await cli(['results-viewers', ...target(), '--p99', '0.001']);
    expect(p99.code).toBe(1);
    expect(p99.stdout).toMatch(/FAIL p99/);
    const rps = await cli(['results-viewers', ...target(), '--min-rps', '1000000']);
    expect(rps.code).toBe(1);
    expect(rps.stdout).toMatch(/FAIL throughput/);
  });

  it('writes the report to the file --report names, self-contained (BENCHMARKS.md links such files)', async () => {
    const file = path.join(out, 'committed', 'viewers.html');
    const r = await cli(['results-viewers', ...target(), '--report', file]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`report ${path.relative(ROOT, file)}`);
    const html = await readFile(file, 'utf8');
    expect(/<(script|link|img)[^>]+(src|href)=["']?(https?:)?\/\//i.test(html)).toBe(false);
    const embedded = JSON.parse(/<script type="application\/json" id="run">(.*?)<\/script>/s.exec(html)![1]!.replace(/\\u003c/g, '<')) as RunRecord;
    expect(embedded.scenario).toBe('results-viewers');
    expect(embedded.all.answers).toBeGreaterThan(0);
    // The record beside it, so `pnpm loadtest compare` can take two committed runs.
    expect((JSON.parse(await readFile(file.replace(/\.html$/, '.json'), 'utf8')) as RunRecord).all).toEqual(embedded.all);
  });

  it('writes a comparison page of two runs', async () => {
    const records = (await readdir(out)).filter((f) => f.startsWith('results-viewers') && f.endsWith('.json')).sort();
    expect(records.length).toBeGreaterThanOrEqual(2);
    const page = path.join(out, 'compare.html');
    const r = await cli(['compare', path.join(out, records[0]!), path.join(out, records[1]!), '--out', page]);
    expect(r.code).toBe(0);
    const html = await readFile(page, 'utf8');
    expect(html).toContain('before: p99');
    expect(html).toContain('after: p99');
  });
});
