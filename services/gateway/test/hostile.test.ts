import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@primaries/config';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import { makeIin } from '@primaries/domain';
import { COMMON_ERROR_STATUSES } from '@primaries/service-kit';
import { buildResultsApp } from '@primaries/results/app';
import { makeSnapshot, publish } from '@primaries/results/testing';
import { type VotingHarness, votingHarness } from '@primaries/vote/testing';
import { type Harness, startGateway } from './helpers';
import { RawConnection, type RawResponse, rawRequest } from './raw-http';

/**
 * Issue #8, hostile input: requests generated from each service's OpenAPI document — wrong
 * types, missing and extra fields, huge and deeply nested bodies, NUL and invalid UTF-8, huge
 * headers, bogus hosts, path tricks, pipelined batches — for every route, through the real
 * gateway to the real vote (Postgres, Redis) and results services. Every answer is a status
 * its route documents (contract), with `{error: {code}}` when it is an error, never a 5xx,
 * and nothing is written to Postgres or Redis.
 */
jest.setTimeout(120_000);

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; pattern?: string; enum?: unknown[]; minimum?: number; anyOf?: Schema[] };
interface Operation { parameters?: Array<{ in: string; name: string; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> }; responses: Record<string, unknown> }
interface Doc { paths: Record<string, Record<string, Operation>> }
interface Route { site: 'vote' | 'results'; method: string; template: string; op: Operation }
interface Case { route: Route | null; what: string; raw: Buffer }
interface Seen { c: Case; res: RawResponse | null }

const VOTE_HOST = 'vote.localhost';
const RESULTS_HOST = 'localhost';

let vh: VotingHarness;
let resultsRedis: TestRedis;
let results: FastifyInstance;
let h: Harness;
let port: number;
let token: string;
const routes: Route[] = [];

beforeAll(async () => {
  vh = await votingHarness('hostile', {}, {}, { logLevel: 'silent' });
  await vh.app.listen({ port: 0, host: '127.0.0.1' });
  resultsRedis = await createTestRedis('hostileres');
  await publish(resultsRedis.redis, resultsRedis.prefix, makeSnapshot(1));
  results = await buildResultsApp(loadConfig('results', { REDIS_URL: resultsRedis.url, REDIS_PREFIX: resultsRedis.prefix, RESULTS_POLL_SECONDS: '30', LOG_LEVEL: 'silent' }));
  await results.listen({ port: 0, host: '127.0.0.1' });
  await waitFor(() => results.snapshots.current?.version === 1, { message: 'snapshot loaded', timeoutMs: 20_000 });
  const url = (app: FastifyInstance) => `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  h = await startGateway({ vote: url(vh.app), results: url(results) }, { RATE_LIMIT_VOTE_MAX: '1000000', RATE_LIMIT_RESULTS_MAX: '1000000' });
  await h.gateway.listen({ port: 0, host: '127.0.0.1' });
  port = (h.gateway.server.address() as AddressInfo).port;
  token = await vh.token(await vh.addMember());
  for (const [site, app] of [['vote', vh.app], ['results', results]] as const) {
    const doc = (await app.inject({ url: '/docs/json' })).json() as Doc;
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) routes.push({ site, method: method.toUpperCase(), template, op });
    }
  }
});

afterAll(async () => {
  await h?.close();
  await results?.close();
  await resultsRedis?.cleanup();
  await vh?.close();
});

// ---- generation from the documents ----

/** A value of the schema's type that passes it where we can tell (patterns: known fields). */
function sample(name: string, s: Schema | undefined): unknown {
  const known: Record<string, unknown> = {
    iin: makeIin('1985-01-01', 'F', 9_876),
    phone: '+77019999999',
    code: '123456',
    challengeId: '5b0f2c52-6a1e-4f0e-9d1e-8f1c2a3b4c5d',
    receipt: 'AAAAAAAAAAAAAAAAAAAAAA',
    contestId: 999_999,
    id: 11,
  };
  if (name in known) return known[name];
  if (!s) return 'x';
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type[0] : s.type ?? s.anyOf?.[0]?.type;
  switch (type) {
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1);
    case 'boolean':
      return true;
    case 'array':
      return [sample(name, s.items)];
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(k, v)]));
    default:
      return 'x';
  }
}

const WRONG: unknown[] = [0, -1, 1.5, 1e308, 'x', '', true, null, [], {}, [[[]]], { $gt: '' }];

function bodyVariants(schema: Schema): Array<[string, string | Buffer]> {
  const base = sample('', schema) as Record<string, unknown>;
  const out: Array<[string, string | Buffer]> = [['as documented', JSON.stringify(base)]];
  for (const key of Object.keys(schema.properties ?? {})) {
    for (const w of WRONG) out.push([`${key} = ${JSON.stringify(w)}`, JSON.stringify({ ...base, [key]: w })]);
    const { [key]: _gone, ...rest } = base;
    out.push([`without ${key}`, JSON.stringify(rest)]);
    out.push([`${key} with NUL`, JSON.stringify({ ...base, [key]: `${String(base[key])}\u0000` })]);
    out.push([`${key} as invalid UTF-8`, Buffer.concat([Buffer.from(`{"${key}":"`), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}')])]);
    out.push([`${key} huge`, JSON.stringify({ ...base, [key]: 'x'.repeat(3_000) })]);
  }
  out.push(['extra field', JSON.stringify({ ...base, extra: 1 })]);
  out.push(['__proto__', `{"__proto__":{"polluted":true},${JSON.stringify(base).slice(1)}`]);
  out.push(['constructor.prototype', `{"constructor":{"prototype":{"polluted":true}},${JSON.stringify(base).slice(1)}`]);
  out.push(['duplicate keys', `${JSON.stringify(base).slice(0, -1)},${JSON.stringify(base).slice(1)}`]);
  for (const raw of ['', '{', '{"a":', '[]', '"x"', '1', 'null', 'true', '{}', '\u0000', '[' .repeat(600) + ']'.repeat(600), '{"a":'.repeat(600) + '1' + '}'.repeat(600)]) out.push([`body ${JSON.stringify(raw.slice(0, 12))}`, raw]);
  out.push(['1 MB', JSON.stringify({ ...base, pad: 'x'.repeat(1024 * 1024) })]);
  return out;
}

function pathWith(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? 'x');
}

const PARAM_TRICKS = ['abc', '0x10', '+1', '1e1', '010', '%2011', '-1', '0', '1.5', '99999999999999999999', '1'.repeat(300), '%00', '%ff', '%C0%AF', '..%2f..%2fmetrics', '%2e%2e', 'a%2Fb', '🗳', 'null', '[]'];

function casesFor(route: Route): Case[] {
  const host = route.site === 'vote' ? VOTE_HOST : RESULTS_HOST;
  const auth = { authorization: `Bearer ${token}` };
  const json = { 'content-type': 'application/json' };
  const params = Object.fromEntries((route.op.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, String(sample(p.name, p.schema))]));
  const path = pathWith(route.template, params);
  const out: Case[] = [];
  const add = (what: string, method: string, target: string, headers: Record<string, string>, body?: string | Buffer) =>
    out.push({ route, what, raw: rawRequest(method, target, { host, ...headers }, body) });
  const bodySchema = route.op.requestBody?.content?.['application/json']?.schema;
  if (bodySchema) {
    for (const [what, body] of bodyVariants(bodySchema)) add(what, route.method, path, { ...auth, ...json }, body);
    add('text/plain body', route.method, path, { ...auth, 'content-type': 'text/plain' }, 'hello');
    add('no content type', route.method, path, auth, '{}');
    add('chunked 1 MB', route.method, path, { ...auth, ...json, 'transfer-encoding': 'chunked' }, `100000\r\n${'x'.repeat(0x100000)}\r\n0\r\n\r\n`);
  } else {
    add('as documented', route.method, path, auth);
    add('with a body', route.method, path, { ...auth, ...json }, '{"a":1}');
  }
  for (const p of Object.keys(params)) for (const trick of PARAM_TRICKS) add(`${p} = ${trick}`, route.method, pathWith(route.template, { ...params, [p]: trick }), auth);
  for (const q of ['?a=%ff', '?a[b]=1&a[c]=2', '?__proto__[x]=1', '?phone=%00', `?${'a=1&'.repeat(2000)}`]) add(`query ${q.slice(0, 16)}`, route.method, path + q, auth);
  add('huge header', route.method, path, { ...auth, 'x-pad': 'a'.repeat(13 * 1024) });
  add('huge authorization', route.method, path, { authorization: `Bearer ${'x'.repeat(8 * 1024)}` });
  add('bad authorization', route.method, path, { authorization: 'Basic Zm9vOmJhcg==' });
  add('authorization with a quote', route.method, path, { authorization: `Bearer "${token}'` });
  add('lower-case method', route.method.toLowerCase(), path, auth);
  add('OPTIONS', 'OPTIONS', path, auth);
  add('PROPFIND', 'PROPFIND', path, auth);
  add('trailing slash', route.method, `${path}/`, auth);
  add('double slash', route.method, `/${path}`, auth);
  add('dot segments', route.method, path.replace('/api/', '/api/./v1/../'), auth);
  add('encoded dots', route.method, path.replace('/api/', '/api/%2e%2e/'), auth);
  add('semicolon', route.method, `${path};x=1`, auth);
  add('fragment', route.method, `${path}#x`, auth);
  return out;
}

/** Requests that reach no documented route: hosts, request lines, framing. */
function strayCases(): Case[] {
  const raw = (what: string, text: string | Buffer): Case => ({ route: null, what, raw: Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1') });
  return [
    ...['evil.example', '', 'vote.localhost.evil', 'localhost@evil', '[::1]', 'vote.localhost:99999', '..', '%00', 'VOTE.LOCALHOST', 'localhost.'].map((host) => raw(`host ${JSON.stringify(host)}`, `GET /api/v1/ballot HTTP/1.1\r\nHost: ${host}\r\n\r\n`)),
    raw('no host', 'GET /api/v1/results HTTP/1.1\r\n\r\n'),
    raw('two hosts', 'GET /api/v1/results HTTP/1.1\r\nHost: localhost\r\nHost: vote.localhost\r\n\r\n'),
    raw('absolute form', 'GET http://vote.localhost/api/v1/ballot HTTP/1.1\r\nHost: vote.localhost\r\n\r\n'),
    raw('absolute form elsewhere', 'GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    raw('asterisk form', 'OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    raw('CONNECT', 'CONNECT vote:3001 HTTP/1.1\r\nHost: vote:3001\r\n\r\n'),
    raw('HTTP/1.0', 'GET /api/v1/results HTTP/1.0\r\nHost: localhost\r\n\r\n'),
    raw('HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    raw('garbage', 'GARBAGE\r\n\r\n'),
    raw('NUL in path', 'GET /api/v1/\x00results HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    raw('NUL in header', 'GET /api/v1/results HTTP/1.1\r\nHost: localhost\r\nX-A: a\x00b\r\n\r\n'),
    raw('invalid UTF-8 in path', Buffer.concat([Buffer.from('GET /api/v1/results/'), Buffer.from([0xff, 0xc0]), Buffer.from(' HTTP/1.1\r\nHost: localhost\r\n\r\n')])),
    raw('20 KB header', `GET /api/v1/results HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`),
    raw('20 KB URL', `GET /api/v1/results?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`),
    raw('both lengths', 'POST /api/v1/votes HTTP/1.1\r\nHost: vote.localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
    raw('bad length', 'POST /api/v1/votes HTTP/1.1\r\nHost: vote.localhost\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n'),
    raw('two lengths', 'POST /api/v1/votes HTTP/1.1\r\nHost: vote.localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'),
    raw('bad chunk', 'POST /api/v1/votes HTTP/1.1\r\nHost: vote.localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'),
    raw('expect something', 'POST /api/v1/votes HTTP/1.1\r\nHost: vote.localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 200-ok\r\n\r\n{}'),
    raw('obs-fold', 'GET /api/v1/results HTTP/1.1\r\nHost: localhost\r\nX-A: a\r\n b\r\n\r\n'),
    raw('unknown path', 'GET /api/v2/results HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    raw('internal prefix', 'GET /__vote/api/v1/ballot HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    raw('gateway internal prefix', 'GET /_gateway/__vote/api/v1/ballot HTTP/1.1\r\nHost: localhost\r\n\r\n'),
  ];
}

/** The documented route a stray request still names (its path), so its answer is checked against that route. */
function withRoute(c: Case): Case {
  const line = c.raw.subarray(0, c.raw.indexOf('\r\n')).toString('latin1');
  const find = (m: string, t: string) => routes.find((r) => r.method === m && r.template === t) ?? null;
  if (/ \/api\/v1\/ballot /.test(line)) return { ...c, route: find('GET', '/api/v1/ballot') };
  if (/ \/api\/v1\/votes /.test(line)) return { ...c, route: find('POST', '/api/v1/votes') };
  if (/ \/api\/v1\/results[ ?]/.test(line)) return { ...c, route: find('GET', '/api/v1/results/') };
  return c;
}

// ---- sending ----

/** Sends each case on its own socket, `width` at a time; each answer, or null when the socket closed unanswered. */
async function sendAll(cases: Case[], width = 12): Promise<Seen[]> {
  const seen: Seen[] = [];
  let next = 0;
  async function lane() {
    while (next < cases.length) {
      const c = cases[next++]!;
      const conn = await RawConnection.open(port);
      try {
        await conn.write(c.raw);
        let res = await conn.next(15_000);
        while (res && res.status >= 100 && res.status < 200) res = await conn.next(15_000);
        seen.push({ c, res });
      } finally {
        conn.close();
      }
    }
  }
  await Promise.all(Array.from({ length: width }, lane));
  return seen;
}

/** Row counts of every table in the vote database, and every key under the vote service's Redis prefix. */
async function stores(): Promise<{ rows: Record<string, number>; keys: string[] }> {
  const db = vh.tdb.db;
  const rows: Record<string, number> = {};
  for (const table of await db.introspection.getTables()) {
    const r = await db
      .selectFrom(table.name as 'members')
      .select((e) => e.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    rows[table.name] = Number(r.n);
  }
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [nextCursor, batch] = await vh.tr.redis.scan(cursor, 'MATCH', `${vh.tr.prefix}*`, 'COUNT', 1000);
    cursor = nextCursor;
    keys.push(...batch);
  } while (cursor !== '0');
  return { rows, keys: keys.sort() };
}

function documented(route: Route | null, status: number): boolean {
  if (!route) return (COMMON_ERROR_STATUSES as readonly number[]).includes(status);
  return route.op.responses[String(status)] !== undefined;
}

function problems(seen: Seen[]): string[] {
  const out: string[] = [];
  for (const { c, res } of seen) {
    const where = `${c.route ? `${c.route.method} ${c.route.template}` : 'stray'} [${c.what}]`;
    if (!res) {
      // Only a request Node cannot even frame may be dropped without an answer.
      if (c.route) out.push(`${where}: no answer`);
      continue;
    }
    if (res.status >= 500) out.push(`${where}: ${res.status} ${res.body.toString('utf8').slice(0, 120)}`);
    if (!documented(c.route, res.status)) out.push(`${where}: ${res.status} is not in the route's OpenAPI document`);
    if (res.status >= 400) {
      let code: unknown;
      try {
        code = res.json()?.error?.code;
      } catch {
        code = undefined;
      }
      if (typeof code !== 'string' || !/^[A-Z]+_ERR_[A-Z0-9_]+$/.test(code)) out.push(`${where}: ${res.status} without {error: {code}}: ${res.body.toString('utf8').slice(0, 80)}`);
    }
  }
  return out;
}

describe('hostile input through the gateway', () => {
  it('finds the documented routes of the vote and results services', () => {
    const names = routes.map((r) => `${r.method} ${r.template}`);
    expect(names).toEqual(expect.arrayContaining(['POST /api/v1/auth/code', 'POST /api/v1/auth/verify', 'GET /api/v1/ballot', 'POST /api/v1/votes', 'GET /api/v1/receipts/{receipt}', 'GET /api/v1/results/contests/{id}']));
  });

  it('answers every generated request with a documented status and an error code, no 5xx, nothing written', async () => {
    const before = await stores();
    const cases = [...routes.flatMap(casesFor), ...strayCases().map(withRoute)];
    expect(cases.length).toBeGreaterThan(300);
    const seen = await sendAll(cases);
    expect(problems(seen)).toEqual([]);
    const after = await stores();
    expect(after.rows).toEqual(before.rows);
    // The only keys a refused request may leave: the per-address sign-in counters (abuse limits count attempts),
    // and the vote service's copy of Postgres's party-control blocks (issue #14), a cache seeded on first use.
    const cached = (k: string) => k.startsWith(`${vh.tr.prefix}:auth:rl-`) || k.startsWith(`${vh.tr.prefix}:blocked:`);
    expect(after.keys.filter((k) => !cached(k))).toEqual(before.keys.filter((k) => !cached(k)));
  });

  it('answers pipelined batches in order, hostile requests among them, on one socket', async () => {
    const cases = routes.filter((r) => r.method === 'GET').flatMap(casesFor).filter((c) => !/huge|NUL|UTF-8|%00|%ff|%C0|1111/.test(c.what));
    const conn = await RawConnection.open(port);
    try {
      const batch = cases.filter((_c, i) => i % 3 === 0).slice(0, 40);
      await conn.write(Buffer.concat(batch.map((c) => c.raw)));
      const seen: Seen[] = [];
      for (const c of batch) {
        let res = await conn.next(15_000);
        while (res && res.status < 200) res = await conn.next(15_000);
        seen.push({ c, res });
        // A refusal that closes the connection ends the batch; the rest were never read.
        if (!res || res.headers['connection'] === 'close') break;
      }
      // Every request before the one Node cannot parse (a lower-case method) is answered, in order, then that one's 400.
      const unparsable = batch.findIndex((c) => c.what === 'lower-case method');
      expect(seen.length).toBe(unparsable === -1 ? batch.length : unparsable + 1);
      if (unparsable !== -1) expect(seen[unparsable]!.res?.json().error.code).toBe('GATEWAY_ERR_BAD_REQUEST');
      expect(problems(seen)).toEqual([]);
    } finally {
      conn.close();
    }
  });
});
