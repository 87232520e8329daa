import { type Socket, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@primaries/config';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import { buildResultsApp } from '@primaries/results/app';
import { makeSnapshot, publish } from '@primaries/results/testing';
import { type Harness, startGateway } from './helpers';

/**
 * Issue #8: two pipelined GETs on one socket, the second for a results URL the gateway has
 * not cached, then the socket closed: the single-flight entry for that URL must still settle,
 * so later viewers of that URL (same Accept-Encoding) get an answer instead of hanging.
 * Raw sockets against the real gateway and the real results service.
 */
let tr: TestRedis;
let results: FastifyInstance;
let h: Harness;
let port: number;

beforeAll(async () => {
  tr = await createTestRedis('gwsettle');
  const config = loadConfig('results', { REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, RESULTS_POLL_SECONDS: '30', LOG_LEVEL: 'silent' });
  // Published before the app starts: it loads the current snapshot at start (a notification could be missed).
  await publish(tr.redis, tr.prefix, makeSnapshot(1));
  results = await buildResultsApp(config);
  await results.listen({ port: 0, host: '127.0.0.1' });
  await waitFor(() => results.snapshots.current?.version === 1, { message: 'snapshot loaded', timeoutMs: 20_000 });
  const upstream = `http://127.0.0.1:${(results.server.address() as AddressInfo).port}`;
  h = await startGateway({ vote: upstream, results: upstream }, { GATEWAY_UPSTREAM_TIMEOUT_MS: '3000' });
  await h.gateway.listen({ port: 0, host: '127.0.0.1' });
  port = (h.gateway.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await h?.close();
  await results?.close();
  await tr?.cleanup();
});

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => resolve(s));
    s.once('error', reject);
  });
}

const request = (path: string, encoding: string) => `GET ${path} HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: ${encoding}\r\n\r\n`;

/** One GET on a fresh socket; resolves with the status line, or 'timeout'. */
async function statusOf(path: string, encoding: string, ms = 4000): Promise<string> {
  const s = await open();
  return new Promise((resolve) => {
    let data = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, ms);
    s.on('data', (chunk) => {
      data += chunk.toString('latin1');
      const line = data.indexOf('\r\n');
      if (line !== -1) {
        clearTimeout(timer);
        s.destroy();
        resolve(data.slice(0, line));
      }
    });
    s.on('error', () => {});
    s.write(request(path, encoding));
  });
}

describe('results cache single flight, client gone', () => {
  const cases: Array<[string, string]> = [
    ['/api/v1/results/contests/11', 'gzip'],
    ['/api/v1/results/contests/12', 'br'],
    ['/api/v1/results/turnout', 'identity'],
    ['/api/v1/results/contests/11?lang=kk', 'gzip, br'],
  ];
  it.each(cases)('a pipelined miss on a closed socket leaves %s (%s) answerable', async (path, encoding) => {
    const s = await open();
    s.on('error', () => {});
    // The first request is one the gateway itself answers slowly enough; the second is the uncached URL.
    s.write(request('/api/v1/results', 'identity') + request(path, encoding));
    s.destroy();
    // Later viewers of the same URL and encoding must be answered.
    const answers = await Promise.all([statusOf(path, encoding), statusOf(path, encoding)]);
    expect(answers).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
  });

  it('reports ready while no cache entry is stuck', async () => {
    const res = await h.gateway.inject({ url: '/_gateway/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks['results-cache']).toBe('ok');
  });

  it('reports not ready while a cache entry is unsettled past the upstream deadline', async () => {
    const cache = h.gateway.resultsCache!;
    const realNow = Date.now;
    const flight = cache.begin('/stuck\nidentity');
    // The deadline is connect + upstream timeout + 5 s; look at the cache from beyond it.
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 60_000);
    try {
      const res = await h.gateway.inject({ url: '/_gateway/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().checks['results-cache']).toMatch(/1 results cache fill/);
    } finally {
      spy.mockRestore();
      flight.settle(null);
    }
    expect((await h.gateway.inject({ url: '/_gateway/ready' })).statusCode).toBe(200);
  });
});
