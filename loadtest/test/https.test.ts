import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { generate } from 'selfsigned';
import type { RunRecord } from '../kit/run';
import { type LocalStack, ROOT, startLocalStack } from '../kit/stack';

/**
 * `--url https://…`: a deployment behind TLS. The stack this file starts is put behind a
 * Node https proxy whose certificate is signed by a CA made here (selfsigned) and trusted by
 * nobody: the command refuses it unless given that CA (`--ca`) or told `--insecure`, and
 * with either the run's figures are autocannon's and the proxy saw every answer. A voting
 * run goes the whole rehearsal way through it: its own election, sign-ins with codes from
 * the rehearsal outbox, ballots.
 */
jest.setTimeout(300_000);

const TOKEN = 'a-rehearsal-token-of-32-characters-or-more';
let stack: LocalStack;
let out: string;
let proxy: https.Server;
let url: string;
let caFile: string;
/** Requests the proxy answered, by the site they named. */
const seen = { results: 0, vote: 0 };

beforeAll(async () => {
  stack = await startLocalStack('kithttps', { SMS_PROVIDER: 'rehearsal', REHEARSAL_TOKEN: TOKEN });
  out = await mkdtemp(path.join(tmpdir(), 'loadkit-https-'));
  const ca = await generate([{ name: 'commonName', value: 'Rehearsal test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 2, value: 'vote.localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  caFile = path.join(out, 'ca.pem');
  await writeFile(caFile, ca.cert);
  const upstream = new URL(stack.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  proxy = https.createServer({ key: leaf.private, cert: leaf.cert }, (req, res) => {
    seen[req.headers.host === stack.voteHost ? 'vote' : 'results']++;
    const up = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxy?.closeAllConnections();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await stack?.stop();
  if (out) await rm(out, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'loadtest', 'kit', 'cli.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NODE_TLS_REJECT_UNAUTHORIZED: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const common = () => ['--metrics', stack.services.map((s) => `${s.name}=${s.metricsUrl}`).join(','), '--duration', '2', '--connections', '8', '--quiet', '--out', out];

async function record(label: string): Promise<RunRecord> {
  const file = (await readdir(out)).find((f) => f.includes(`-${label}-`) && f.endsWith('.json'))!;
  return JSON.parse(await readFile(path.join(out, file), 'utf8')) as RunRecord;
}

it('refuses a certificate this machine does not trust, before any load', async () => {
  const before = seen.results;
  const r = await cli(['results-viewers', '--url', url, ...common(), '--label', 'untrusted']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/certificate/i);
  expect(r.stderr).toMatch(/--ca|--insecure/);
  expect(seen.results).toBe(before);
});

it.each([
  ['ca', () => ['--ca', caFile]],
  ['insecure', () => ['--insecure']],
])('runs a scenario through TLS (--%s) and reports what autocannon counted', async (label, trust) => {
  const before = seen.results;
  const r = await cli(['results-viewers', '--url', url, ...trust(), ...common(), '--label', label, '--min-rps', '1']);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const run = await record(label);
  expect(run.target.url).toBe(url);
  const s = run.streams[0]!;
  expect(s.totals.good).toBeGreaterThan(0);
  expect(s.totals.answers).toBe(s.autocannon.requestsTotal);
  expect(s.totals.statuses).toEqual(s.autocannon.statusCodeStats);
  expect(s.totals.transportErrors).toBe(0);
  for (const k of ['p50', 'p90', 'p99', 'max'] as const) expect(s.totals.latency[k]).toBe(s.autocannon.latency[k]);
  // Every answer came through the TLS proxy (plus the kit's own look at the pages first).
  expect(seen.results - before).toBeGreaterThanOrEqual(s.totals.answers);
  const html = await readFile(path.join(out, (await readdir(out)).find((f) => f.includes(`-${label}-`) && f.endsWith('.html'))!), 'utf8');
  expect(html.includes(`<td>${s.name}</td><td>${s.autocannon.requestsTotal}</td><td>${s.autocannon.latency.p50}</td>`)).toBe(true);
});

it('rehearses voting through TLS: sign-ins, codes from the rehearsal outbox and ballots over https', async () => {
  await sql`update elections set opens_at = now() - interval '2 hours', closes_at = now() - interval '1 minute' where id = ${stack.election.electionId}`.execute(stack.tdb.db);
  const before = seen.vote;
  const r = await cli(['voting', '--url', url, '--ca', caFile, '--database-url', stack.databaseUrl, '--rehearsal-token', TOKEN, '--members', '30', ...common(), '--label', 'tls-voting', '--max-error-rate', '0']);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  const run = await record('tls-voting');
  const s = run.streams[0]!;
  expect(s.totals.statuses['202']).toBeGreaterThan(0);
  expect(s.totals.answers).toBe(s.autocannon.requestsTotal);
  expect(run.rehearsal).toMatchObject({ created: 30, removed: 30 });
  // 30 code requests, 30 verifies, at least 30 outbox reads, the ballots: all through the proxy.
  expect(seen.vote - before).toBeGreaterThanOrEqual(90 + s.totals.answers);
});
