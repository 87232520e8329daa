import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium } from 'playwright-core';
import { loadConfig } from '@primaries/config';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import { buildResultsApp } from '../src/app';
import { makeSnapshot, publish } from './snapshot-fixture';

// Debian's chromium (apt-get install -y chromium), driven by playwright-core.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let tr: TestRedis;
let app: FastifyInstance;
let base: string;
let browser: Browser | null = null;

beforeAll(async () => {
  tr = await createTestRedis('portal');
  app = await buildResultsApp(loadConfig('results', { REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await publish(tr.redis, tr.prefix, makeSnapshot(3));
  await waitFor(() => app.snapshots.current?.version === 3, { message: 'snapshot loaded' });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await tr?.cleanup();
});

describe('portal files', () => {
  it('serves the page, script and style compressed, with ETags and caching', async () => {
    for (const [url, type] of [['/', 'text/html'], ['/app.js', 'text/javascript'], ['/style.css', 'text/css']] as const) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain(type);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers['cache-control']).toMatch(/^public, max-age=\d+$/);
      const again = await app.inject({ url, headers: { 'accept-encoding': 'br', 'if-none-match': String(res.headers.etag) } });
      expect(again.statusCode).toBe(304);
    }
  });
});

describe('portal in a phone-sized browser', () => {
  it('shows turnout, filters contests, draws ratings with the removed candidate, switches language', async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const page = await browser.newPage({ viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ru-RU' });
    await page.goto(base + '/');
    await page.waitForSelector('#contests li details');
    expect(await page.textContent('#election-name')).toBe('Primaries 2026');
    expect(await page.textContent('#t-eligible')).toBe('100');
    expect(await page.textContent('#t-voted')).toContain('40');
    expect(await page.textContent('h2#turnout-h')).toBe('Явка');
    expect(await page.locator('#contests > li').count()).toBe(2);

    // Filter: region level only → the Akmola council; national → the national list.
    await page.selectOption('#f-level', 'region');
    expect(await page.locator('#contests > li').count()).toBe(1);
    await page.selectOption('#f-level', 'national');
    await page.locator('#contests summary').first().click();
    await page.waitForSelector('[data-candidate="104"]');
    expect(await page.getAttribute('[data-candidate="104"]', 'class')).toBe('removed');
    expect(await page.textContent('[data-candidate="104"]')).toContain('снят');
    const widths = await page.$$eval('.rating .bar > span', (spans) => spans.map((s) => (s as unknown as { style: { width: string } }).style.width));
    expect(widths).toEqual(['100%', '66.6667%', '16.6667%', '0%']);

    // The women's rating: Aigerim, then Dana.
    await page.getByRole('tab', { name: 'Женщины' }).click();
    expect(await page.$$eval('.rating li', (lis) => lis.map((li) => li.getAttribute('data-candidate')))).toEqual(['101', '103']);

    // Nothing wider than the phone.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.screenshot({ path: '/tmp/results-portal-ru.png', fullPage: true });

    await page.click('button[data-lang="kk"]');
    expect(await page.textContent('h2#turnout-h')).toBe('Келу');
    expect(await page.textContent('#election-name')).toBe('Праймериз 2026');
    await page.screenshot({ path: '/tmp/results-portal-kk.png', fullPage: true });
  }, 60_000);
});
