import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type Page, chromium } from 'playwright-core';
import { loadConfig } from '@primaries/config';
import { LANGUAGES } from '@primaries/i18n';
import { type TestRedis, createTestRedis, waitFor } from '@primaries/testing';
import { conditionalGet } from '@primaries/ui/poll';
import { auditKeys } from '@primaries/audit';
import { axeProblems } from '../../../e2e/browser';
import { buildResultsApp } from '../src/app';
import { makeSnapshot, publish } from './snapshot-fixture';

// Debian's chromium (apt-get install -y chromium), driven by playwright-core.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(__dirname, '..', '..', '..', 'artifacts', 'screenshots');
const PAGES = ['/', '/contest?id=11', '/turnout', '/removed', '/audit'] as const;

let tr: TestRedis;
let app: FastifyInstance;
let base: string;
let browser: Browser | null = null;

beforeAll(async () => {
  tr = await createTestRedis('portal');
  app = await buildResultsApp(loadConfig('results', { REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, LOG_LEVEL: 'silent', VOTE_URL: 'http://vote.localhost:8080/' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  await publish(tr.redis, tr.prefix, makeSnapshot(3));
  await waitFor(() => app.snapshots.current?.version === 3, { message: 'snapshot loaded' });
  await publishTrail(AUDIT_EVENTS);
}, 60_000);

/** A published trail of `count` events as the admin service and the worker write it (the chain is not checked here). */
const AUDIT_EVENTS = 60;
async function publishTrail(count: number) {
  const keys = auditKeys(tr.prefix);
  const hash = (seq: number) => seq.toString(16).padStart(64, 'a');
  const fields = Array.from({ length: count }, (_, i) => {
    const seq = i + 1;
    const event = { seq, at: new Date(Date.UTC(2026, 9, 1, 6, 0, seq)).toISOString(), actor: seq === 1 ? { role: 'operator', id: 'cli' } : { role: 'organizer', id: '1' }, action: seq === 2 ? 'staff.enrolled' : 'staff.created', subject: `staff:${seq}`, reason: seq === 2 ? null : 'role observer', prevHash: seq === 1 ? '0'.repeat(64) : hash(seq - 1), hash: hash(seq) };
    return [String(seq), JSON.stringify(event)];
  });
  await tr.redis.hset(keys.events, ...fields.flat());
  await tr.redis.set(keys.head, JSON.stringify({ seq: count, hash: hash(count) }));
}

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await tr?.cleanup();
});

/** Waits until an expression is true in the page (through DevTools: the CSP refuses eval). */
async function until(page: Page, expression: string, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('portal pages', () => {
  it('serves every page with a strict CSP and hashed, precompressed assets; under 150 KB compressed in all', async () => {
    for (const url of ['/', '/contest', '/turnout', '/removed', '/audit']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'br' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['cache-control']).toBe('no-cache');
      const again = await app.inject({ url, headers: { 'accept-encoding': 'br', 'if-none-match': String(res.headers.etag) } });
      expect(again.statusCode).toBe(304);
    }
    const html = (await app.inject({ url: '/' })).body;
    expect(html).toContain('"voteUrl":"http://vote.localhost:8080/"');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/results-[\w-]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(assets.map((a) => path.extname(a)).sort()).toEqual(['.css', '.js']);
    let total = (await app.inject({ url: '/', headers: { 'accept-encoding': 'br' } })).rawPayload.length;
    for (const a of assets) {
      const res = await app.inject({ url: a, headers: { 'accept-encoding': 'br' } });
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers['content-encoding']).toBe('br');
      total += res.rawPayload.length;
      // No third-party host named anywhere in what the page loads.
      const text = (await app.inject({ url: a })).body;
      expect([...text.matchAll(/https?:\/\/([\w.-]+)/g)].map((m) => m[1]).filter((h) => h !== 'www.w3.org')).toEqual([]);
    }
    expect(total).toBeLessThan(150 * 1024);
  }, 120_000);
});

describe('auto-refresh', () => {
  it('asks with If-None-Match and waits for the max-age of the answer (the next refresh)', async () => {
    const first = await conditionalGet<{ version: number }>(`${base}/api/v1/results`, { etag: null, lang: 'ru' });
    expect(first.kind).toBe('fresh');
    if (first.kind !== 'fresh') return;
    expect(first.data.version).toBe(3);
    // The fixture's next refresh is 600 s away: the page asks again then, not before.
    expect(first.nextInSeconds).toBeGreaterThan(590);
    expect(first.nextInSeconds).toBeLessThanOrEqual(600);
    const same = await conditionalGet(`${base}/api/v1/results`, { etag: first.etag, lang: 'ru' });
    expect(same).toEqual({ kind: 'same', nextInSeconds: first.nextInSeconds });
  });
});

describe('portal in a browser', () => {
  let page: Page;
  const foreign: string[] = [];
  afterAll(() => expect(foreign).toEqual([]));
  beforeAll(async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ru-RU', acceptDownloads: true });
    page = await context.newPage();
    page.on('request', (r) => {
      const host = new URL(r.url()).hostname;
      if (!r.url().startsWith('blob:') && !r.url().startsWith('data:') && host !== '127.0.0.1') foreign.push(r.url());
    });
  }, 60_000);

  it('shows the status, turnout and the contests; filters them', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-state="overview"]');
    expect(await page.evaluate('document.documentElement.lang')).toBe('ru');
    expect(await page.textContent('.election-name')).toBe('Primaries 2026');
    expect(await page.textContent('.stage')).toBe('Промежуточные итоги');
    expect(await page.textContent('[data-figure="eligible"]')).toBe('100');
    expect(await page.textContent('[data-figure="share"]')).toMatch(/^40,0\s?%$/);
    expect(await page.locator('table.contests tbody tr').count()).toBe(2);
    await page.selectOption('#f-level', 'region');
    expect(await page.locator('table.contests tbody tr').count()).toBe(1);
    await page.selectOption('#f-level', '');
    await page.fill('#f-query', 'akmol');
    expect(await page.$$eval('table.contests tbody tr', (rows) => rows.map((r) => r.getAttribute('data-contest')))).toEqual(['12']);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  }, 60_000);

  it("draws a contest's ratings as bars: overall, women, under 35; the removed candidate with the reason", async () => {
    await page.goto(`${base}/contest?id=11`);
    await page.waitForSelector('[data-state="contest"]');
    const widths = () => page.$$eval('.rating .bar > span', (spans) => spans.map((s) => (s as unknown as { style: { width: string } }).style.width));
    expect(await widths()).toEqual(['75%', '50%', '12.5%']);
    await page.click('button[data-rating="women"]');
    expect(await page.$$eval('.rating li', (lis) => lis.map((li) => li.getAttribute('data-candidate')))).toEqual(['101', '103']);
    await page.click('button[data-rating="youth"]');
    expect(await page.$$eval('.rating li', (lis) => lis.map((li) => li.getAttribute('data-candidate')))).toEqual(['101']);
    expect(await page.textContent('.removed-here [data-candidate="104"]')).toContain('Skipped the mandatory debates');
    // The CSV download of the table.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-download="csv"]')]);
    expect(download.suggestedFilename()).toBe('contest-11.csv');
    const csv = await new Promise<string>((resolve, reject) => {
      let text = '';
      void download.createReadStream().then((s) => {
        s.on('data', (d: Buffer) => (text += d.toString('utf8')));
        s.on('end', () => resolve(text));
        s.on('error', reject);
      });
    });
    expect(csv.split('\r\n')[0]).toBe('\ufeffcandidate_id,candidate,rank,votes,online,paper,percent,woman,under_35,women_rank,youth_rank,removed,removed_at,reason');
    expect(csv).toContain('101,Aigerim A,1,30,27,3,75,true,true,1,1,false,,');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  }, 60_000);

  it('shows turnout by region on the tile map and in a table, and by the hour', async () => {
    await page.goto(`${base}/turnout`);
    await page.waitForSelector('[data-state="turnout"] table.regions tbody tr');
    expect(await page.$$eval('.tiles li', (lis) => lis.map((li) => li.getAttribute('data-region')))).toEqual(['AKM', 'ALA']);
    expect(await page.locator('.hours svg rect').count()).toBe(3);
    expect(await page.locator('table.hours-table tbody tr').count()).toBe(3);
    expect(await page.textContent('table.regions tfoot')).toContain('100');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  }, 60_000);

  it('lists removed candidates with when and why', async () => {
    await page.goto(`${base}/removed`);
    await page.waitForSelector('[data-state="removed"]');
    expect(await page.textContent('tr[data-candidate="104"]')).toContain('Skipped the mandatory debates');
  }, 60_000);

  it('lists the audit trail newest first, in pages, with the command that verifies it', async () => {
    await page.goto(`${base}/audit?lang=en`);
    await page.waitForSelector('[data-state="audit"] table.audit');
    expect(await page.getAttribute('.audit-head', 'data-head')).toBe(String(AUDIT_EVENTS));
    const seqs = async () => page.$$eval('table.audit tbody tr', (rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    expect((await seqs()).slice(0, 2)).toEqual([60, 59]);
    expect((await seqs()).length).toBe(50);
    expect(await page.textContent('tr[data-seq="60"]')).toContain('Organizing committee, no. 1');
    expect(await page.textContent('tr[data-seq="60"] code.hash')).toBe('aaaaaaaaaaaa');
    await page.click('button[data-page="older"]');
    await until(page, `document.querySelector('table.audit tbody tr')?.getAttribute('data-seq') === '10'`);
    expect(await seqs()).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(await page.textContent('tr[data-seq="2"]')).toContain('Enrolled: password and authenticator set');
    expect(await page.textContent('tr[data-seq="1"]')).toContain('Operator (command line), no. cli');
    expect(await page.isDisabled('button[data-page="older"]')).toBe(true);
    await page.click('button[data-page="newer"]');
    await until(page, `document.querySelector('table.audit tbody tr')?.getAttribute('data-seq') === '60'`);
    expect(await page.textContent('pre.command')).toBe(`pnpm primaries audit verify --url ${base}/`);
    expect(await page.getAttribute('.site-nav a[href="/audit"]', 'aria-current')).toBe('page');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
  }, 60_000);

  it('switches language and remembers it; Kazakh names where there are', async () => {
    await page.goto(`${base}/contest?id=11`);
    await page.waitForSelector('[data-state="contest"]');
    await page.click('.lang-switch button[data-lang="kk"]');
    await until(page, 'document.documentElement.lang === "kk"');
    expect(await page.textContent('h1')).toBe('Республикалық тізім');
    expect(await page.textContent('[data-candidate="101"] .cname')).toBe('Әйгерім А');
    await page.goto(`${base}/`);
    await page.waitForSelector('[data-state="overview"]');
    expect(await page.evaluate('document.documentElement.lang')).toBe('kk');
    expect(await page.textContent('.stage')).toBe('Аралық қорытынды');
  }, 60_000);

  it('refreshes by itself when a new snapshot is due, with a 304 while nothing changed', async () => {
    // A snapshot whose next refresh is 2 s away: the page asks again then.
    await publish(tr.redis, tr.prefix, makeSnapshot(4, { nextRefreshAt: new Date(Date.now() + 2000).toISOString(), turnout: { eligible: 100, authorized: 60, voted: 41 } }));
    await waitFor(() => app.snapshots.current?.version === 4, { message: 'snapshot 4 loaded' });
    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/api/v1/results')) statuses.push(r.status());
    });
    await page.goto(`${base}/?lang=en`);
    await page.waitForSelector('[data-state="overview"]');
    expect(await page.textContent('[data-figure="voted"]')).toBe('41');
    // Past the max-age, nothing new yet: the page revalidates and the server answers 304.
    await waitFor(() => statuses.includes(304), { timeoutMs: 15_000, message: 'a 304 revalidation' });
    expect(await page.textContent('[data-figure="voted"]')).toBe('41');
    await publish(tr.redis, tr.prefix, makeSnapshot(5, { nextRefreshAt: new Date(Date.now() + 600_000).toISOString(), turnout: { eligible: 100, authorized: 60, voted: 42 } }));
    await until(page, 'document.querySelector(\'[data-figure="voted"]\')?.textContent === "42"', 20_000);
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(200);
  }, 60_000);

  it('works with the keyboard alone: skip link first, the heading focused, a contest by Tab and Enter, a rating by Space', async () => {
    await page.goto(`${base}/?lang=en`);
    await page.waitForSelector('[data-state="overview"]');
    // The screen's heading holds the focus at load; in focus order the skip link comes first.
    expect(await page.evaluate(`document.querySelector('a[href], button, input, select, [tabindex="0"]').className`)).toBe('skip');
    expect(await page.evaluate('document.activeElement.tagName')).toBe('H1');
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 40; i++) {
        if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    await tabTo('table.contests a[href="/contest?id=11"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-state="contest"]');
    expect(await page.evaluate('document.activeElement.tagName')).toBe('H1');
    await tabTo('button[data-rating="women"]');
    await page.keyboard.press('Space');
    expect(await page.$$eval('.rating li', (lis) => lis.map((li) => li.getAttribute('data-candidate')))).toEqual(['101', '103']);
    // The wide tables scroll with the keyboard: their box takes the focus.
    await page.goto(`${base}/turnout?lang=en`);
    await page.waitForSelector('table.regions tbody tr');
    await tabTo('[role="region"][aria-labelledby="regions-h"]');
  }, 60_000);

  it('has no serious or critical axe violation on any page in any language, at 360 and 1366 px', async () => {
    mkdirSync(SHOTS, { recursive: true });
    for (const lang of LANGUAGES) {
      for (const url of PAGES) {
        await page.goto(`${base}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
        await page.waitForSelector('[data-state]');
        await until(page, `document.documentElement.lang === ${JSON.stringify(lang)}`);
        if (url === '/turnout') await page.waitForSelector('table.regions tbody tr');
        expect({ lang, url, problems: await axeProblems(page) }).toEqual({ lang, url, problems: [] });
        // Nothing wider than the phone, in any language.
        expect({ lang, url, width: await page.evaluate('document.documentElement.scrollWidth') }).toEqual({ lang, url, width: 360 });
        const name = url.slice(1).split('?')[0] || 'overview';
        if (lang === 'kk') await page.screenshot({ path: path.join(SHOTS, `portal-fixture-${name}-360-kk.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${base}/contest?id=11&lang=ru`);
    await page.waitForSelector('[data-state="contest"]');
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'portal-fixture-contest-1366-ru.png'), fullPage: true });
    await page.goto(`${base}/turnout?lang=ru`);
    await page.waitForSelector('table.regions tbody tr');
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'portal-fixture-turnout-1366-ru.png'), fullPage: true });
  }, 180_000);
});
