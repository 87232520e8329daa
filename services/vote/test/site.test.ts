import { type VotingHarness, votingHarness } from './voting-fixtures';

// The voter site as the vote service serves it (the browser tests drive it: e2e/).
let h: VotingHarness;
beforeAll(async () => {
  h = await votingHarness('site', { HOTLINE_PHONE: '+7 717 255 55 55' });
});
afterAll(() => h.close());

describe('the voter site at /', () => {
  it('serves the page and its hashed assets, precompressed, first load under 150 KB compressed', async () => {
    const page = await h.app.inject({ url: '/', headers: { 'accept-encoding': 'br' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const plain = (await h.app.inject({ url: '/' })).body;
    expect(plain).toContain('"hotline":"+7 717 255 55 55"');
    const assets = [...plain.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    let total = page.rawPayload.length;
    for (const url of assets) {
      const res = await h.app.inject({ url, headers: { 'accept-encoding': 'gzip' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      total += res.rawPayload.length;
    }
    // gzip (the larger of the two encodings) of everything the first load fetches.
    expect(total).toBeLessThan(150 * 1024);
    expect((await h.app.inject({ url: '/check' })).statusCode).toBe(200);
  });
});
