import type { Browser } from 'playwright-core';
import type { Lang } from '@primaries/i18n';
import { DESKTOP, PHONE, firstLoadBytes, launch, shot } from './browser';
import { LANGUAGES, markAndReview, participation, people, screen, signIn, waitInPage } from './flows';
import { type Stack, startStack } from './stack';

// A member votes end to end through the gateway in each language, checks each receipt and
// meets the designed states; axe-core finds no serious or critical violation on any screen.
let stack: Stack;
let browser: Browser;
const { person } = people(() => browser);

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack('e2evote'), launch()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

describe('voting through the gateway', () => {
  it.each(LANGUAGES)('a member votes in %s, keeps a receipt per contest and checks each', async (lang) => {
    const wide = lang === 'ru';
    const v = await person({ viewport: wide ? DESKTOP : PHONE, locale: `${lang}-KZ` });
    const m = await stack.addMember(lang === 'kk' ? 0 : 1, lang === 'en' ? 1 : 0);
    const bytes = await firstLoadBytes(v.page, `${stack.voteUrl}/?lang=${lang}`);
    expect(bytes).toBeLessThan(150 * 1024);
    expect(await v.page.evaluate('document.documentElement.lang')).toBe(lang);
    await shot(v.page, `vote-signin-${wide ? 1366 : 360}-${lang}`);
    await signIn(stack, v.page, m, lang);
    const contests = await markAndReview(v.page);
    expect(contests).toHaveLength(3);
    await shot(v.page, `vote-review-${wide ? 1366 : 360}-${lang}`);
    await v.page.click('#cast');
    await screen(v.page, 'done');
    const receipts = await v.page.$$eval('code.receipt', (els) => els.map((e) => e.textContent ?? ''));
    expect(receipts).toHaveLength(3);
    expect(new Set(receipts).size).toBe(3);
    // The worker records them; the page says so for each.
    await waitInPage(v.page, `[...document.querySelectorAll('[data-status]')].every((e) => ['recorded', 'counted'].includes(e.getAttribute('data-status')))`);
    await screen(v.page, 'done');
    await shot(v.page, `vote-done-${wide ? 1366 : 360}-${lang}`);
    expect(await participation(stack, m)).toEqual([...contests].sort((a, b) => a - b));
    // Each receipt on the check page, as anyone could.
    for (const r of receipts) {
      await v.page.goto(`${stack.voteUrl}/check?receipt=${r}`);
      await screen(v.page, 'check');
      await v.page.waitForSelector('[data-status="recorded"], [data-status="counted"]');
    }
  }, 180_000);

  it('the ballot screen in every language at phone width: nothing wider than the phone', async () => {
    for (const lang of LANGUAGES) {
      const v = await person({ viewport: PHONE });
      const m = await stack.addMember(0, 1);
      await signIn(stack, v.page, m, lang);
      await screen(v.page, 'ballot');
      expect(await v.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);
      if (lang === 'kk') await shot(v.page, 'vote-ballot-360-kk');
      // The switch works here too, and is remembered.
      const other: Lang = lang === 'ru' ? 'en' : 'ru';
      await v.page.click(`.lang-switch button[data-lang="${other}"]`);
      await waitInPage(v.page, `document.documentElement.lang === ${JSON.stringify(other)}`);
      expect(await v.page.evaluate('localStorage.getItem("primaries.lang")')).toBe(other);
      await screen(v.page, 'ballot');
    }
  }, 180_000);
});
