import path from 'node:path';
import Fastify from 'fastify';
import { ASSET_CACHE_CONTROL, CONTENT_SECURITY_POLICY, type SiteDefinition, buildSite, staticSitePlugin } from '../src';

const site: SiteDefinition = {
  name: 'fixture',
  entry: path.join(__dirname, 'fixture/main.js'),
  html: path.join(__dirname, 'fixture/index.html'),
  pages: ['/', '/check'],
};

describe('buildSite', () => {
  it('bundles content-hashed script and style, and fills the template', async () => {
    const built = await buildSite(site);
    const urls = [...built.assets.keys()].sort((a, b) => path.extname(a).localeCompare(path.extname(b)));
    expect(urls).toEqual([expect.stringMatching(/^\/assets\/fixture-[A-Z0-9]{8}\.css$/), expect.stringMatching(/^\/assets\/fixture-[A-Z0-9]{8}\.js$/)]);
    expect(built.template).toContain(`<link rel="stylesheet" href="${urls[0]}">`);
    expect(built.template).toContain(`<script type="module" src="${urls[1]}"></script>`);
    expect(built.template).toContain('<title>Праймериз: дауыс беру</title>');
    expect(built.template).toContain('<span lang="ru">Что-то пошло не так</span>');
    // Deterministic: another instance names its assets the same.
    expect([...(await buildSite(site)).assets.keys()].sort()).toEqual([...urls].sort());
  });
});

describe('staticSitePlugin', () => {
  async function app() {
    const a = Fastify();
    await a.register(staticSitePlugin, { site, data: { hotline: '1414', evil: '</script><script>alert(1)</script>' } });
    return a;
  }

  it('serves the page with a strict CSP, revalidated on each load, and the data block escaped', async () => {
    const a = await app();
    for (const url of ['/', '/check']) {
      const res = await a.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      const again = await a.inject({ url, headers: { 'accept-encoding': 'gzip, br', 'if-none-match': String(res.headers.etag) } });
      expect(again.statusCode).toBe(304);
    }
    const plain = await a.inject({ url: '/' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toContain('<script type="application/json" id="site-data">{"hotline":"1414","evil":"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"}</script>');
    expect(plain.body).not.toMatch(/https?:\/\//);
    await a.close();
  });

  it('serves hashed assets for a year in brotli, gzip or as they are, and 404s unknown ones', async () => {
    const a = await app();
    const page = (await a.inject({ url: '/' })).body;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)![1]!;
    for (const [accept, encoding] of [['br', 'br'], ['gzip', 'gzip'], ['identity', undefined]] as const) {
      const res = await a.inject({ url: script, headers: { 'accept-encoding': accept } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['content-encoding']).toBe(encoding);
      expect(res.headers['cache-control']).toBe(ASSET_CACHE_CONTROL);
      expect(res.headers.vary).toBe('Accept-Encoding');
    }
    expect((await a.inject({ url: '/assets/fixture-NOPE.js' })).statusCode).toBe(404);
    await a.close();
  });
});
