import type { Browser, Page } from 'playwright-core';
import { DESKTOP, PHONE, firstLoadBytes, launch, shot } from './browser';
import { LANGUAGES, markAndReview, people, screen, signIn, waitInPage } from './flows';
import { type Stack, startStack } from './stack';

// The results portal through the gateway: after a member votes and the worker tallies, the
// portal shows the vote, in each language, with axe-core on every page. Ballots are released
// into the count one by one here (BALLOT_RELEASE_MIN=1) so that a single vote shows.
let stack: Stack;
let browser: Browser;
const { person } = people(() => browser);
const REASON = 'Did not take part in the mandatory debates';

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack('e2eportal', { BALLOT_RELEASE_MIN: '1', BALLOT_RELEASE_RESERVE: '0' }), launch()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

const portalPages = (national: number) => [
  ['overview', '/'],
  ['contest', `/contest?id=${national}`],
  ['turnout', '/turnout'],
  ['removed', '/removed'],
  ['audit', '/audit'],
] as const;

/** Opens a portal page and waits for its screen (axe runs in `screen`). */
async function open(page: Page, url: string, state: string): Promise<void> {
  await page.goto(url);
  await screen(page, state);
}

describe('the results portal', () => {
  it("shows a member's vote after the tally, in every language; every page passes axe", async () => {
    const national = stack.el.contests.national;
    const removed = stack.el.candidates[national]![3]!;
    await stack.tdb.db.updateTable('candidates').set({ status: 'removed', removed_at: new Date(), removal_reason: REASON }).where('id', '=', removed).execute();

    // A member votes through the voter site.
    const voter = await person({ viewport: PHONE, locale: 'kk-KZ' });
    const m = await stack.addMember(0, 0);
    await signIn(stack, voter.page, m, 'kk');
    await markAndReview(voter.page);
    await voter.page.click('#cast');
    await screen(voter.page, 'done');

    // The portal, on a phone and on a desktop: the first load is light.
    const v = await person({ viewport: PHONE, locale: 'ru-KZ' });
    const bytes = await firstLoadBytes(v.page, `${stack.resultsUrl}/?lang=ru`);
    expect(bytes).toBeLessThan(150 * 1024);
    // The worker rebuilds every 2 s: the page refreshes by itself until the vote is counted.
    await open(v.page, `${stack.resultsUrl}/contest?id=${national}&lang=ru`, 'contest');
    await waitInPage(v.page, `Number(document.querySelector('[data-ballots]')?.getAttribute('data-ballots')) === 1`, 60_000);
    const first = stack.el.candidates[national]![0]!;
    await waitInPage(v.page, `!!document.querySelector('.rating li[data-candidate="${first}"]')`);
    expect(await v.page.textContent(`.rating li[data-candidate="${first}"] .votes`)).toMatch(/^1 · 100,0\s?%$/);
    expect(await v.page.textContent(`.removed-here [data-candidate="${removed}"]`)).toContain(REASON);

    for (const lang of LANGUAGES) {
      for (const [name, path] of portalPages(national)) {
        await open(v.page, `${stack.resultsUrl}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`, name);
        if (name === 'turnout') await v.page.waitForSelector('table.regions tbody tr');
        expect({ lang, name, width: await v.page.evaluate('document.documentElement.scrollWidth') }).toEqual({ lang, name, width: PHONE.width });
        if (lang === 'kk') await shot(v.page, `portal-${name}-360-kk`);
      }
    }
    await open(v.page, `${stack.resultsUrl}/?lang=en`, 'overview');
    expect(await v.page.textContent('[data-figure="voted"]')).toBe('1');
    await open(v.page, `${stack.resultsUrl}/removed?lang=en`, 'removed');
    expect(await v.page.textContent(`tr[data-candidate="${removed}"]`)).toContain(REASON);
    await open(v.page, `${stack.resultsUrl}/turnout?lang=en`, 'turnout');
    expect(await v.page.locator('.hours svg rect').count()).toBe(1);

    const wide = await person({ viewport: DESKTOP, locale: 'en-GB' });
    for (const [name, path] of portalPages(national)) {
      await open(wide.page, `${stack.resultsUrl}${path}${path.includes('?') ? '&' : '?'}lang=ru`, name);
      if (name === 'turnout') await wide.page.waitForSelector('table.regions tbody tr');
      await shot(wide.page, `portal-${name}-1366-ru`);
    }
    // From the portal to the voter site: the link names the vote host.
    expect(await wide.page.getAttribute('.site-nav a:last-child', 'href')).toBe(`${stack.voteUrl}/`);
  }, 180_000);

  it('every page of both sites: under 150 KB compressed on first load, nothing from another host', async () => {
    const pages = [
      `${stack.voteUrl}/`,
      `${stack.voteUrl}/check`,
      ...portalPages(stack.el.contests.national).map(([, path]) => `${stack.resultsUrl}${path}`),
    ];
    for (const url of pages) {
      // A new browser each time: nothing cached. `people` checks every request stayed on our hosts.
      const v = await person({ viewport: PHONE, locale: 'kk-KZ' });
      const bytes = await firstLoadBytes(v.page, url);
      expect({ url, under150KB: bytes < 150 * 1024 }).toEqual({ url, under150KB: true });
      await v.page.waitForSelector('[data-state]');
    }
  }, 120_000);
});
