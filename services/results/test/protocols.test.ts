import type { FastifyInstance } from 'fastify';
import { loadConfig } from '@primaries/config';
import { protocolKeys } from '@primaries/results-model';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import { buildResultsApp } from '../src/app';
import { makeSnapshot, publish } from './snapshot-fixture';

// Issue #13: each contest's final protocol on the portal, only once the results are published.
let tr: TestRedis;
let app: FastifyInstance;

beforeAll(async () => {
  tr = await createTestRedis('resultsprotocols');
  app = await buildResultsApp(loadConfig('results', { REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, RESULTS_POLL_SECONDS: '30', LOG_LEVEL: 'silent' }));
  await app.ready();
  await waitFor(() => app.redis.status === 'ready', { message: 'Redis connected' });
});
afterAll(async () => {
  await app?.close();
  await tr?.cleanup();
});

const get = (url: string) => app.inject({ url });
async function serve(version: number, final: boolean) {
  await publish(tr.redis, tr.prefix, makeSnapshot(version, { final }));
  await waitFor(() => app.snapshots.current?.version === version, { message: `snapshot v${version} loaded` });
}

it('answers 409 RESULTS_ERR_NOT_PUBLISHED while the results are interim', async () => {
  await serve(1, false);
  const res = await get('/api/v1/results/contests/11/protocol.csv');
  expect([res.statusCode, res.json().error.code]).toEqual([409, 'RESULTS_ERR_NOT_PUBLISHED']);
  expect((await get('/api/v1/results/contests/99/protocol.pdf')).json().error.code).toBe('RESULTS_ERR_CONTEST_NOT_FOUND');
});

it('answers 503 RESULTS_ERR_PROTOCOL_NOT_READY until the worker has stored them, then the bytes', async () => {
  await serve(2, true);
  const waiting = await get('/api/v1/results/contests/11/protocol.pdf');
  expect([waiting.statusCode, waiting.json().error.code]).toEqual([503, 'RESULTS_ERR_PROTOCOL_NOT_READY']);
  const pdf = Buffer.from('%PDF-1.3 stand-in bytes');
  await tr.redis.hset(protocolKeys(tr.prefix).election(7), '11.pdf', pdf, '11.csv', 'section,item\r\nprotocol,contest\r\n');
  const res = await get('/api/v1/results/contests/11/protocol.pdf');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(res.headers['content-disposition']).toContain('protocol-7-11.pdf');
  expect(res.rawPayload.equals(pdf)).toBe(true);
  const csv = await get('/api/v1/results/contests/11/protocol.csv');
  expect([csv.statusCode, csv.headers['content-type'], csv.body]).toEqual([200, 'text/csv; charset=utf-8', 'section,item\r\nprotocol,contest\r\n']);
});
