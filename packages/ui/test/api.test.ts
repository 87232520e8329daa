import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { NetworkError, apiRequest, isBusy, parseRetryAfter, withWaitingRoom } from '../src/api';
import { toCsv } from '../src/csv';

let server: FastifyInstance;
let base: string;
let busyLeft = 0;
const seen: Array<string | undefined> = [];

beforeAll(async () => {
  server = Fastify();
  server.get('/busy', async (request, reply) => {
    seen.push(request.headers['accept-language']);
    if (busyLeft-- > 0) return reply.code(503).header('retry-after', '1').send({ error: { code: 'VOTE_ERR_UNAVAILABLE', message: 'busy' } });
    return { ok: true };
  });
  server.get('/limit', async (_r, reply) => reply.code(429).header('retry-after', '3600').send({ error: { code: 'VOTE_ERR_CODE_LIMIT', message: 'later' } }));
  server.get('/html', async (_r, reply) => reply.code(502).type('text/html').send('<h1>Bad gateway</h1>'));
  await server.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('apiRequest and the waiting room', () => {
  it('waits Retry-After after each 503 and calls again until answered', async () => {
    busyLeft = 2;
    seen.length = 0;
    const waits: number[] = [];
    const started = Date.now();
    const r = await withWaitingRoom(() => apiRequest<{ ok: boolean }>(`${base}/busy`, { lang: 'ru' }), { onWait: (s) => waits.push(s) });
    expect(r).toMatchObject({ ok: true, data: { ok: true } });
    expect(waits).toEqual([1, 1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(seen).toEqual(['ru', 'ru', 'ru']);
  });

  it('retries at once when asked to', async () => {
    busyLeft = 1;
    const started = Date.now();
    const r = await withWaitingRoom(() => apiRequest(`${base}/busy`, { lang: 'kk' }), { onWait: (_s, now) => now() });
    expect(r.ok).toBe(true);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('does not queue on an hourly limit, keeps a non-JSON error, and reports a refused connection', async () => {
    const limit = await apiRequest(`${base}/limit`, { lang: 'en' });
    expect(limit).toMatchObject({ ok: false, status: 429, retryAfter: 3600, error: { code: 'VOTE_ERR_CODE_LIMIT' } });
    expect(isBusy(limit)).toBe(false);
    expect(await apiRequest(`${base}/html`, { lang: 'en' })).toMatchObject({ ok: false, status: 502, error: { code: 'HTTP_502' } });
    await expect(apiRequest('http://127.0.0.1:1/nothing', { lang: 'en' })).rejects.toBeInstanceOf(NetworkError);
  });

  it('reads Retry-After as seconds or as a date', () => {
    expect(parseRetryAfter('7')).toBe(7);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(null)).toBeNull();
  });
});

describe('toCsv', () => {
  it('quotes what needs quoting, with a BOM and CRLF', () => {
    const csv = toCsv([{ name: 'Ақмола, облыс', n: 5 }, { name: 'say "hi"', n: null }], [
      { header: 'Өңір', value: (r) => r.name },
      { header: 'n', value: (r) => r.n },
    ]);
    expect(csv).toBe('\ufeffӨңір,n\r\n"Ақмола, облыс",5\r\n"say ""hi""",\r\n');
  });
});

describe('masks', () => {
  it('groups a Kazakh mobile typed any usual way, and hides its middle', async () => {
    const { phoneE164, phoneInput, maskedPhone, iinInput } = await import('../src/masks');
    for (const typed of ['8 701 234 56 78', '+7 (701) 234-56-78', '7 701 234 5678', '7012345678', '87012345678']) {
      expect(phoneInput(typed)).toBe('+7 701 234 56 78');
      expect(phoneE164(typed)).toBe('+77012345678');
    }
    // Typing key by key into the formatted field.
    let field = '';
    for (const key of '87012345678') field = phoneInput(field + key);
    expect(field).toBe('+7 701 234 56 78');
    expect(phoneE164('+7 701 234')).toBeNull();
    expect(maskedPhone('+77012345678')).toBe('+7 701 ••• •• 78');
    expect(iinInput('7910 2830-2728 99')).toBe('791028302728');
  });
});
