import type { Browser, Page } from 'playwright-core';
import type { Lang } from '@primaries/i18n';
import { type Visit, axeProblems, foreignRequests, visit } from './browser';
import type { Member, Stack } from './stack';

export const LANGUAGES: readonly Lang[] = ['kk', 'ru', 'en'];

/** People's browsers for one test file: each with its own client address; checked and closed after each test. */
export function people(getBrowser: () => Browser) {
  let address = 0;
  const opened: Visit[] = [];
  afterEach(async () => {
    for (const v of opened.splice(0)) {
      expect(foreignRequests(v.requests)).toEqual([]);
      expect(v.errors).toEqual([]);
      await v.context.close();
    }
  });
  const nextAddress = () => `10.77.${Math.floor(address / 250)}.${(address++ % 250) + 1}`;
  return {
    nextAddress,
    async person(opts: Parameters<typeof visit>[1] = {}): Promise<Visit> {
      const v = await visit(getBrowser(), { address: nextAddress(), ...opts });
      opened.push(v);
      return v;
    },
  };
}

/**
 * Waits until an expression is true in the page. Playwright's waitForFunction compiles its
 * predicate inside the page, which our CSP (no 'unsafe-eval') refuses; this asks through the
 * DevTools protocol instead, as the axe check does.
 */
export async function waitInPage(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > until) throw new Error(`timed out waiting in the page for ${expression}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits for a screen and runs axe on it: no serious or critical violation. */
export async function screen(page: Page, state: string, timeout = 30_000): Promise<Page> {
  await page.waitForSelector(`[data-state="${state}"]`, { timeout });
  expect({ state, problems: await axeProblems(page) }).toEqual({ state, problems: [] });
  return page;
}

/**
 * Runs axe on a screen in every language: switches the page through kk, ru and en with its
 * language switch (the screen stays, its words change), then back to the language it was in.
 */
export async function inEveryLanguage(page: Page, state: string): Promise<void> {
  const start = (await page.evaluate('document.documentElement.lang')) as string;
  for (const lang of [...LANGUAGES.filter((l) => l !== start), start]) {
    await page.click(`.lang-switch button[data-lang="${lang}"]`);
    await waitInPage(page, `document.documentElement.lang === ${JSON.stringify(lang)}`);
    await screen(page, state);
  }
}

/** Opens the voter site and asks for a code; returns the code the SMS outbox received. */
export async function askCode(stack: Stack, page: Page, m: Member, lang: Lang): Promise<string> {
  await page.goto(`${stack.voteUrl}/?lang=${lang}`);
  await screen(page, 'signin');
  await page.fill('#iin', m.iin);
  await page.fill('#phone', m.phone.replace('+7', '8'));
  const before = await stack.smsCount(m.phone);
  await page.click('form button[type=submit]');
  await screen(page, 'code');
  return stack.codeFor(m.phone, before);
}

export async function signIn(stack: Stack, page: Page, m: Member, lang: Lang): Promise<void> {
  const code = await askCode(stack, page, m, lang);
  await page.fill('#code', code);
  await page.click('form button[type=submit]');
}

/** Marks candidates (the first of each open contest, two in the first; or only in `only`) and reviews. */
export async function markAndReview(page: Page, only?: number): Promise<number[]> {
  await screen(page, 'ballot');
  const open = await page.$$eval('fieldset.contest', (fs) => fs.filter((f) => f.querySelector('input')).map((f) => Number(f.getAttribute('data-contest'))));
  const contests = only === undefined ? open : open.filter((id) => id === only);
  for (const [i, id] of contests.entries()) {
    const boxes = page.locator(`fieldset[data-contest="${id}"] input[type=checkbox]`);
    await boxes.nth(0).check();
    if (i === 0) await boxes.nth(1).check();
  }
  await page.click('.actions.sticky button');
  await screen(page, 'review');
  return contests;
}

/** The contests a member took part in (participation: one row per member and contest). */
export async function participation(stack: Stack, m: Member): Promise<number[]> {
  const rows = await stack.tdb.db.selectFrom('participation').select('contest_id').where('member_id', '=', m.id).orderBy('contest_id').execute();
  return rows.map((r) => r.contest_id);
}

/** Receipts recorded per contest (one per contest ballot). */
export async function receiptCounts(stack: Stack): Promise<Map<number, number>> {
  const rows = await stack.tdb.db.selectFrom('receipts').select(['contest_id']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('contest_id').execute();
  return new Map(rows.map((r) => [r.contest_id, Number(r.n)]));
}
