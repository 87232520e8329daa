import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { ARTIFACTS } from './stack';

/** Debian's chromium (`apt-get install chromium`), driven by playwright-core. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export const PHONE = { width: 360, height: 740 } as const;
export const DESKTOP = { width: 1366, height: 900 } as const;

export interface Visit {
  context: BrowserContext;
  page: Page;
  /** Every URL the page asked for, to prove no third-party host was ever reached. */
  requests: string[];
  /** Errors thrown in the page (none expected). */
  errors: string[];
}

/**
 * A person's browser: its own cookies and storage, a screen size, a language, and a client
 * address of its own (sent as X-Forwarded-For, which the gateway believes from loopback,
 * as it would from the load balancer in front of it): the one-IP rule sees separate people.
 */
export async function visit(browser: Browser, opts: { viewport?: { width: number; height: number }; locale?: string; address?: string } = {}): Promise<Visit> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? PHONE,
    locale: opts.locale ?? 'kk-KZ',
    timezoneId: 'Europe/London',
    ...(opts.address ? { extraHTTPHeaders: { 'x-forwarded-for': opts.address } } : {}),
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, requests, errors };
}

/** Hosts a page may reach: the sites themselves (through the gateway), data: and blob: URLs. */
export function foreignRequests(requests: readonly string[]): string[] {
  return requests.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    const host = new URL(u).hostname;
    return host !== 'localhost' && host !== 'vote.localhost' && host !== 'admin.localhost';
  });
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core in the page (WCAG 2.1 A/AA rules): the serious and critical violations, as readable lines. */
export async function axeProblems(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`)) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** A full-page screenshot under artifacts/screenshots/. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** What the first load of a page transferred (compressed bodies), in bytes. */
export async function firstLoadBytes(page: Page, url: string): Promise<number> {
  let total = 0;
  const pending: Array<Promise<void>> = [];
  const onResponse = (res: import('playwright-core').Response) => {
    pending.push(res.request().sizes().then((s) => void (total += s.responseBodySize + s.responseHeadersSize)).catch(() => undefined));
  };
  page.on('response', onResponse);
  await page.goto(url, { waitUntil: 'networkidle' });
  page.off('response', onResponse);
  await Promise.all(pending);
  return total;
}
