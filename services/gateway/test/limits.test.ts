import type { AddressInfo } from 'node:net';
import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';
import { RawConnection, rawRequest } from './raw-http';

/**
 * Issue #8: the gateway refuses what it will not forward (413/415/431 with an error code),
 * handles `Expect: 100-continue`, and a kept-alive socket still answers after a refusal.
 * Raw sockets: an http client would hide interim answers, resets and pipelining.
 */
let vote: Upstream;
let results: Upstream;
let h: Harness;
let port: number;

beforeAll(async () => {
  vote = await startUpstream('vote');
  results = await startUpstream('results');
  h = await startGateway({ vote: vote.url, results: results.url }, { RESULTS_GATEWAY_CACHE: 'false' });
  await h.gateway.listen({ port: 0, host: '127.0.0.1' });
  port = (h.gateway.server.address() as AddressInfo).port;
});
afterAll(async () => {
  await h?.close();
  await vote?.close();
  await results?.close();
});
beforeEach(() => {
  vote.seen.length = 0;
  results.seen.length = 0;
});

const VOTE = { host: 'vote.localhost' };
const RESULTS = { host: 'localhost' };
const json = { 'content-type': 'application/json' };

describe('Expect: 100-continue', () => {
  const routes: Array<[string, string, Record<string, string>, string | undefined]> = [
    ['POST', '/api/v1/auth/code', VOTE, '{"iin":"900101300001","phone":"+77010000001"}'],
    ['POST', '/api/v1/votes', VOTE, '{"selections":[]}'],
    ['GET', '/api/v1/ballot', VOTE, undefined],
    ['GET', '/api/v1/results', RESULTS, undefined],
    ['POST', '/api/v1/complaints', RESULTS, '{"text":"x"}'],
  ];
  it.each(routes)('%s %s is forwarded after 100 Continue', async (method, path, host, body) => {
    const c = await RawConnection.open(port);
    try {
      await c.write(rawRequest(method, path, { ...host, ...(body ? json : {}), expect: '100-continue', ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }));
      if (body) {
        const interim = await c.next();
        expect(interim?.status).toBe(100);
        await c.write(body);
      }
      let res = await c.next();
      // A bodyless request may get an interim 100 too.
      if (!body && res?.status === 100) res = await c.next();
      expect(res?.status).toBe(200);
      expect(res?.json()).toMatchObject({ method, url: path, body: body ?? '' });
      // The upstream gets no Expect of its own to answer.
      expect(res?.json().headers.expect).toBeUndefined();
    } finally {
      c.close();
    }
  });

  it('refuses an oversized body announced with Expect without asking for it', async () => {
    const c = await RawConnection.open(port);
    try {
      await c.write(rawRequest('POST', '/api/v1/votes', { ...VOTE, ...json, expect: '100-continue', 'content-length': String(10 * 1024 * 1024) }));
      const res = await c.next();
      expect(res?.status).toBe(413);
      expect(res?.json().error.code).toBe('GATEWAY_ERR_PAYLOAD_TOO_LARGE');
      expect(vote.seen).toHaveLength(0);
    } finally {
      c.close();
    }
  });
});

describe('body, content-type and header limits', () => {
  const big = (bytes: number) => `{"pad":"${'a'.repeat(bytes - 10)}"}`;

  it.each([1, 10])('refuses a %i MB body with 413, never 502, and the socket answers again', async (mb) => {
    for (let i = 0; i < 3; i++) {
      const c = await RawConnection.open(port);
      try {
        await c.write(Buffer.concat([rawRequest('POST', '/api/v1/votes', { ...VOTE, ...json }, big(mb * 1024 * 1024)), rawRequest('GET', '/api/v1/ballot', VOTE)]));
        const refused = await c.next(20_000);
        expect(refused?.status).toBe(413);
        expect(refused?.json().error).toMatchObject({ code: 'GATEWAY_ERR_PAYLOAD_TOO_LARGE', message: expect.any(String) });
        // Either the kept-alive socket answers the next request, or it was closed cleanly.
        const after = await c.next(20_000);
        if (refused?.headers['connection'] === 'close') expect(after).toBeNull();
        else expect(after?.status).toBe(200);
        expect(c.error).toBeNull();
      } finally {
        c.close();
      }
    }
    expect(vote.seen.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('refuses an oversized chunked body with 413', async () => {
    const c = await RawConnection.open(port);
    try {
      const chunk = 'a'.repeat(64 * 1024);
      const chunks = Array.from({ length: 20 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
      await c.write(rawRequest('POST', '/api/v1/auth/code', { ...VOTE, ...json, 'transfer-encoding': 'chunked' }, chunks));
      const res = await c.next();
      expect(res?.status).toBe(413);
      expect(res?.json().error.code).toBe('GATEWAY_ERR_PAYLOAD_TOO_LARGE');
      expect(vote.seen).toHaveLength(0);
    } finally {
      c.close();
    }
  });

  it('forwards a body within the limit unchanged', async () => {
    const body = big(32 * 1024);
    const res = await h.gateway.inject({ method: 'POST', url: '/api/v1/votes', headers: { ...VOTE, 'content-type': 'application/json; charset=utf-8' }, payload: body });
    expect(res.statusCode).toBe(200);
    expect(res.json().body).toBe(body);
  });

  it.each([
    ['text/plain', 'hello'],
    ['application/x-www-form-urlencoded', 'a=1'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('refuses a %s body with 415', async (type, body) => {
    const res = await h.gateway.inject({ method: 'POST', url: '/api/v1/auth/code', headers: { ...VOTE, 'content-type': type }, payload: body });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('GATEWAY_ERR_BAD_CONTENT_TYPE');
    expect(vote.seen).toHaveLength(0);
  });

  it('refuses a body without a content type with 415', async () => {
    const c = await RawConnection.open(port);
    try {
      await c.write(rawRequest('POST', '/api/v1/votes', VOTE, '{"selections":[]}'));
      const res = await c.next();
      expect(res?.status).toBe(415);
      expect(res?.json().error.code).toBe('GATEWAY_ERR_BAD_CONTENT_TYPE');
    } finally {
      c.close();
    }
  });

  it('refuses headers larger than it forwards with 431, and the socket answers again', async () => {
    const c = await RawConnection.open(port);
    try {
      await c.write(Buffer.concat([rawRequest('GET', '/api/v1/ballot', { ...VOTE, 'x-pad': 'a'.repeat(12 * 1024) }), rawRequest('GET', '/api/v1/results', RESULTS)]));
      const res = await c.next();
      expect(res?.status).toBe(431);
      expect(res?.json().error.code).toBe('GATEWAY_ERR_HEADERS_TOO_LARGE');
      expect((await c.next())?.status).toBe(200);
      expect(vote.seen).toHaveLength(0);
    } finally {
      c.close();
    }
  });
});

describe('per-route body limits on the admin site', () => {
  it('refuses an 8 KiB sign-in body with 413 before the admin service, takes it on another route', async () => {
    const admin = await startUpstream('admin');
    const g = await startGateway({ vote: vote.url, results: results.url }, { ADMIN_UPSTREAM: admin.url });
    try {
      const body = JSON.stringify({ pad: 'x'.repeat(8 * 1024) });
      const headers = { host: 'admin.localhost', 'content-type': 'application/json' };
      const refused = await g.gateway.inject({ method: 'POST', url: '/api/v1/auth/sign-in', headers, payload: body });
      expect(refused.statusCode).toBe(413);
      expect(refused.json().error.code).toBe('GATEWAY_ERR_PAYLOAD_TOO_LARGE');
      expect(admin.seen).toHaveLength(0);
      expect((await g.gateway.inject({ method: 'POST', url: '/api/v1/other', headers, payload: body })).statusCode).toBe(200);
    } finally {
      await g.close();
      await admin.close();
    }
  });
});
