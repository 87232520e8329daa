import type { Browser } from 'playwright-core';
import { voteBacklogKey } from '@primaries/redis-protocols';
import { deleteByPrefix, waitFor } from '@primaries/testing';
import { PHONE, launch, shot } from './browser';
import { askCode, inEveryLanguage, markAndReview, participation, people, receiptCounts, screen, signIn, waitInPage } from './flows';
import { type Stack, startStack } from './stack';

// The designed states of the voter site, each met in a real browser through the gateway,
// and the promise that a double click or a retried submit records each contest once.
let stack: Stack;
let browser: Browser;
const { person, nextAddress } = people(() => browser);

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack('e2estates'), launch()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

/** Waits until the worker recorded exactly `by` more receipts in each contest, and checks none follow. */
async function receiptsGrew(before: Map<number, number>, contests: number[], by = 1): Promise<void> {
  const grown = async () => {
    const now = await receiptCounts(stack);
    return contests.map((c) => (now.get(c) ?? 0) - (before.get(c) ?? 0));
  };
  await waitFor(async () => (await grown()).every((n) => n >= by), { timeoutMs: 30_000, message: 'receipts recorded' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await grown()).toEqual(contests.map(() => by));
}

/** POSTs of the votes endpoint a page sent. */
const votePosts = (requests: readonly string[], methods: readonly string[]) => requests.filter((u, i) => u.endsWith('/api/v1/votes') && methods[i] === 'POST').length;

describe('designed states', () => {
  it('already voted, per contest: the contest voted before shows as voted, the others stay open', async () => {
    const m = await stack.addMember(0, 0);
    const first = await person();
    await signIn(stack, first.page, m, 'ru');
    const national = stack.el.contests.national;
    expect(await markAndReview(first.page, national)).toEqual([national]);
    await first.page.click('#cast');
    await screen(first.page, 'done');
    const later = await person({ viewport: PHONE });
    await signIn(stack, later.page, m, 'kk');
    await screen(later.page, 'ballot');
    expect(await later.page.locator(`fieldset[data-contest="${national}"] .notice`).count()).toBe(1);
    expect(await later.page.locator(`fieldset[data-contest="${national}"] input`).count()).toBe(0);
    expect(await later.page.locator('fieldset.contest input[type=checkbox]').count()).toBe(8);
    await shot(later.page, 'vote-already-voted-360-kk');
    await inEveryLanguage(later.page, 'ballot');
  });

  it('code expired: its own screen, and a new code from there', async () => {
    const m = await stack.addMember(1, 0);
    const v = await person();
    const code = await askCode(stack, v.page, m, 'en');
    await deleteByPrefix(stack.tr.redis, `${stack.tr.prefix}:auth:ch:`); // what the TTL does
    await v.page.fill('#code', code);
    await v.page.click('form button[type=submit]');
    await screen(v.page, 'expired');
    await inEveryLanguage(v.page, 'expired');
    const before = await stack.smsCount(m.phone);
    await v.page.click('[data-state="expired"] .actions button');
    await screen(v.page, 'code');
    await v.page.fill('#code', await stack.codeFor(m.phone, before));
    await v.page.click('form button[type=submit]');
    await screen(v.page, 'ballot');
  });

  it('too many tries: the tries left are said, then the code is locked', async () => {
    const m = await stack.addMember(1, 1);
    const v = await person();
    const code = await askCode(stack, v.page, m, 'ru');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 4; i++) {
      await v.page.fill('#code', wrong);
      await v.page.click('form button[type=submit]');
      await waitInPage(v.page, `document.querySelector('.notice.error')?.textContent.includes('${5 - i}')`);
    }
    await screen(v.page, 'code');
    await v.page.fill('#code', wrong);
    await v.page.click('form button[type=submit]');
    await screen(v.page, 'locked');
    await inEveryLanguage(v.page, 'locked');
  });

  it('address already used: a second member from the same connection is told what to do', async () => {
    const address = nextAddress();
    const a = await stack.addMember(0, 1);
    const b = await stack.addMember(0, 1);
    const first = await person({ address });
    await signIn(stack, first.page, a, 'kk');
    await screen(first.page, 'ballot');
    const second = await person({ address });
    await second.page.goto(`${stack.voteUrl}/?lang=kk`);
    await screen(second.page, 'signin');
    await second.page.fill('#iin', b.iin);
    await second.page.fill('#phone', b.phone);
    await second.page.click('form button[type=submit]');
    await screen(second.page, 'ip-in-use');
    expect(await second.page.locator('.todo li').count()).toBe(3);
    expect(await second.page.textContent('.hotline')).toContain('+7 717 255 55 55');
    await inEveryLanguage(second.page, 'ip-in-use');
  });

  it('503 with Retry-After: a waiting room with a countdown, then the vote goes through by itself', async () => {
    const m = await stack.addMember(1, 1);
    const v = await person();
    await signIn(stack, v.page, m, 'ru');
    const contests = await markAndReview(v.page);
    const before = await receiptCounts(stack);
    // The votes backlog over its limit: the vote service sheds with 503 + Retry-After.
    await stack.tr.redis.set(voteBacklogKey(stack.tr.prefix), '1000000000');
    await new Promise((r) => setTimeout(r, 600)); // the service reads the counter every 250 ms
    await v.page.click('#cast');
    await screen(v.page, 'waiting');
    expect(await v.page.textContent('[data-state="waiting"] .countdown')).toMatch(/\d/);
    await shot(v.page, 'vote-waiting-360-ru');
    await inEveryLanguage(v.page, 'waiting');
    await stack.tr.redis.set(voteBacklogKey(stack.tr.prefix), '0');
    await screen(v.page, 'done', 30_000);
    expect(await participation(stack, m)).toEqual([...contests].sort((x, y) => x - y));
    await receiptsGrew(before, contests);
  });

  it('a double click casts once', async () => {
    const m = await stack.addMember(0, 0);
    const v = await person();
    const methods: string[] = [];
    v.page.on('request', (r) => methods.push(r.method()));
    await signIn(stack, v.page, m, 'en');
    const contests = await markAndReview(v.page);
    const before = await receiptCounts(stack);
    await v.page.dblclick('#cast');
    await screen(v.page, 'done');
    expect(votePosts(v.requests, methods)).toBe(1);
    expect(await v.page.locator('code.receipt').count()).toBe(contests.length);
    await receiptsGrew(before, contests);
  });

  it('the connection drops after the vote arrived: the page asks the ballot and does not send it again', async () => {
    const m = await stack.addMember(1, 0);
    const v = await person();
    const methods: string[] = [];
    v.page.on('request', (r) => methods.push(r.method()));
    await signIn(stack, v.page, m, 'kk');
    const contests = await markAndReview(v.page);
    const before = await receiptCounts(stack);
    await v.page.route('**/api/v1/votes', async (route) => {
      // The vote reaches the gateway (from here: Node cannot resolve *.localhost, Chromium can)…
      const url = new URL(route.request().url());
      await route.fetch({ url: `http://127.0.0.1:${url.port}${url.pathname}`, headers: { ...route.request().headers(), host: url.host } });
      await route.abort('connectionreset'); // …and its answer never reaches the page
    });
    await v.page.click('#cast');
    await screen(v.page, 'done');
    expect(await v.page.locator('.notice').count()).toBe(1); // "arrived; receipts could not be shown"
    expect(votePosts(v.requests, methods)).toBe(1);
    expect(await participation(stack, m)).toEqual([...contests].sort((x, y) => x - y));
    await receiptsGrew(before, contests);
  });

  it('the connection drops before the vote arrived: the page finds it missing and sends it once more', async () => {
    const m = await stack.addMember(1, 0);
    const v = await person();
    const methods: string[] = [];
    v.page.on('request', (r) => methods.push(r.method()));
    await signIn(stack, v.page, m, 'ru');
    const contests = await markAndReview(v.page);
    const before = await receiptCounts(stack);
    let dropped = false;
    await v.page.route('**/api/v1/votes', async (route) => {
      if (dropped) return route.continue();
      dropped = true;
      return route.abort('connectionreset');
    });
    await v.page.click('#cast');
    await screen(v.page, 'done');
    expect(await v.page.locator('code.receipt').count()).toBe(contests.length);
    expect(votePosts(v.requests, methods)).toBe(2);
    await receiptsGrew(before, contests);
  });

  it('window closed (with server time), and not yet open', async () => {
    const m = await stack.addMember(0, 1);
    const v = await person();
    await signIn(stack, v.page, m, 'en');
    await markAndReview(v.page);
    const original = await stack.tdb.db.selectFrom('elections').select(['opens_at', 'closes_at']).where('id', '=', stack.el.electionId).executeTakeFirstOrThrow();
    try {
      await stack.tdb.db.updateTable('elections').set({ closes_at: new Date(Date.now() - 60_000) }).where('id', '=', stack.el.electionId).execute();
      await new Promise((r) => setTimeout(r, 5_500)); // the vote service's election cache
      await v.page.click('#cast');
      await screen(v.page, 'window-closed');
      expect(await v.page.textContent('.server-time')).toMatch(/\d\d:\d\d/);
      await shot(v.page, 'vote-window-closed-360-en');
      await inEveryLanguage(v.page, 'window-closed');
      expect(await participation(stack, m)).toEqual([]);

      await stack.tdb.db.updateTable('elections').set({ opens_at: new Date(Date.now() + 86400_000), closes_at: new Date(Date.now() + 2 * 86400_000) }).where('id', '=', stack.el.electionId).execute();
      await new Promise((r) => setTimeout(r, 5_500));
      await v.page.reload(); // the tab keeps its session
      await screen(v.page, 'window-scheduled');
      expect(await v.page.textContent('.server-time')).toMatch(/\d\d:\d\d/);
      await inEveryLanguage(v.page, 'window-scheduled');
    } finally {
      await stack.tdb.db.updateTable('elections').set(original).where('id', '=', stack.el.electionId).execute();
    }
  });
});
