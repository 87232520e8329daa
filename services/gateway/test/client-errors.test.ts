import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@primaries/config';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import { buildResultsApp } from '@primaries/results/app';
import { makeSnapshot, publish } from '@primaries/results/testing';
import { type Harness, startGateway } from './helpers';
import { RawConnection } from './raw-http';

/**
 * Issue #8: the answers Node and Fastify give below the routes (400 for an unparsable
 * request, 431 for oversized headers or URL, 414 for an oversized path parameter) carry
 * `{error: {code}}`; a contest id that is not a canonical decimal integer is refused, not read
 * as another contest. Real gateway and results service, raw sockets.
 */
let tr: TestRedis;
let results: FastifyInstance;
let resultsPort: number;
let h: Harness;
let port: number;

beforeAll(async () => {
  tr = await createTestRedis('gwclienterr');
  const config = loadConfig('results', { REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, RESULTS_POLL_SECONDS: '30', LOG_LEVEL: 'silent' });
  // Published before the app starts: it loads the current snapshot at start (a notification could be missed).
  await publish(tr.redis, tr.prefix, makeSnapshot(1));
  results = await buildResultsApp(config);
  await results.listen({ port: 0, host: '127.0.0.1' });
  resultsPort = (results.server.address() as AddressInfo).port;
  await waitFor(() => results.snapshots.current?.version === 1, { message: 'snapshot loaded', timeoutMs: 20_000 });
  const upstream = `http://127.0.0.1:${resultsPort}`;
  h = await startGateway({ vote: upstream, results: upstream });
  await h.gateway.listen({ port: 0, host: '127.0.0.1' });
  port = (h.gateway.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await h?.close();
  await results?.close();
  await tr?.cleanup();
});

async function send(to: number, raw: string) {
  const c = await RawConnection.open(to);
  try {
    await c.write(raw);
    return await c.next();
  } finally {
    c.close();
  }
}

describe("Node's own answers carry the error shape", () => {
  it.each([
    ['the gateway', () => port, 'GATEWAY'],
    ['the results service', () => resultsPort, 'RESULTS'],
  ])('%s: an unparsable request is 400 with a code', async (_name, to, prefix) => {
    for (const raw of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n', 'GET /\x00 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'GET / HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n']) {
      const res = await send(to(), raw);
      expect(res?.status).toBe(400);
      expect(res?.json().error).toMatchObject({ code: `${prefix}_ERR_BAD_REQUEST`, message: expect.any(String) });
    }
  });

  it.each([
    ['the gateway', () => port, 'GATEWAY'],
    ['the results service', () => resultsPort, 'RESULTS'],
  ])('%s: oversized headers or URL are 431 with a code', async (_name, to, prefix) => {
    const headers = await send(to(), `GET /api/v1/results HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(headers?.status).toBe(431);
    expect(headers?.json().error.code).toBe(`${prefix}_ERR_HEADERS_TOO_LARGE`);
    const url = await send(to(), `GET /api/v1/results?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(url?.status).toBe(431);
    expect(url?.json().error.code).toBe(`${prefix}_ERR_HEADERS_TOO_LARGE`);
  });

  it('an oversized path parameter is 414 with a code, through the gateway', async () => {
    const res = await send(port, `GET /api/v1/results/contests/${'1'.repeat(300)} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(res?.status).toBe(414);
    expect(res?.json().error.code).toBe('RESULTS_ERR_URI_TOO_LONG');
  });
});

describe('contest ids are canonical decimal integers', () => {
  const get = (id: string) => h.gateway.inject({ url: `/api/v1/results/contests/${id}`, headers: { host: 'localhost' } });

  it.each(['0x10', '0x0b', '+11', '1e1', '011', '%2011', '11%20', '11.0', '0', '-11', '0b1011', '99999999999999999999', 'Infinity'])('refuses %s with 400', async (id) => {
    const res = await get(id);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('RESULTS_ERR_VALIDATION');
  });

  it('reads 11 as contest 11', async () => {
    const res = await get('11');
    expect(res.statusCode).toBe(200);
    expect(res.json().contest.id).toBe(11);
  });
});
