import path from 'node:path';
import { type Harness, adminHarness } from './harness';
import { resultsUrlFor } from '../src/site';

// The console's pages as the admin service serves them (issue #12, docs/admin.md#the-console):
// strict CSP, hashed and precompressed assets, under 150 KB compressed, no third-party host.
let h: Harness;
beforeAll(async () => {
  h = await adminHarness('admin_console_site');
});
afterAll(async () => h.close());

it('serves every page with a strict CSP and hashed, precompressed assets; under 150 KB compressed', async () => {
  for (const url of ['/', '/enrol', '/staff', '/setup', '/members']) {
    const res = await h.app.inject({ url, headers: { 'accept-encoding': 'br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-cache');
  }
  const html = (await h.app.inject({ url: '/' })).body;
  expect(html).toContain('"resultsUrl":"http://localhost:8080/"');
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/admin-[\w-]+\.(?:js|css))"/g)].map((m) => m[1]!);
  expect(assets.map((a) => path.extname(a)).sort()).toEqual(['.css', '.js']);
  let total = (await h.app.inject({ url: '/', headers: { 'accept-encoding': 'br' } })).rawPayload.length;
  for (const a of assets) {
    const res = await h.app.inject({ url: a, headers: { 'accept-encoding': 'br' } });
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('br');
    total += res.rawPayload.length;
    const text = (await h.app.inject({ url: a })).body;
    expect([...text.matchAll(/https?:\/\/([\w.-]+)/g)].map((m) => m[1]).filter((host) => host !== 'www.w3.org')).toEqual([]);
  }
  expect(total).toBeLessThan(150 * 1024);
}, 120_000);

it('links the console to the results portal on the officials\' host without its first label', () => {
  expect(resultsUrlFor('https://admin.primaries.kz/')).toBe('https://primaries.kz/');
  expect(resultsUrlFor('http://admin.localhost:8080/x')).toBe('http://localhost:8080/');
});
