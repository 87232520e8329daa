import type { Browser } from 'playwright-core';
import { staffAdd } from '@primaries/cli/staff';
import { DESKTOP, PHONE, firstLoadBytes, launch, shot } from './browser';
import { code, enrol, fitsPhone, freshCode, signIn } from './console';
import { inEveryLanguage, people, screen, waitInPage } from './flows';
import { type Stack, startStack } from './stack';

// The officials' console through the gateway (issue #12): an organizer created with the
// command line's `staff add` enrols in the browser (password and TOTP), a replayed code is
// refused on screen, the organizer signs in and sees the dashboard, adds an observer on the
// console; the observer enrols and finds the organizer's enrolment in the public trail.
// axe-core on every console screen in kk, ru and en; 360 px wide; nothing from another host.
let stack: Stack;
let browser: Browser;
const { person } = people(() => browser);

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack('e2eadmin', {}, { admin: true }), launch()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 60_000);

describe("the officials' console", () => {
  it('organizer: enrols, a replayed code is refused, signs in, sees the dashboard, manages staff; an observer sees the enrolment in the public trail', async () => {
    for (let i = 0; i < 3; i++) await stack.addMember(i % 2, 0);
    const organizer = await staffAdd({ role: 'organizer', login: 'aigerim' }, { DATABASE_URL: stack.tdb.url, ADMIN_PUBLIC_URL: `${stack.adminUrl}/` });
    expect(organizer.link).toMatch(new RegExp(`^${stack.adminUrl}/enrol#[\\w-]{43}$`));

    const o = await person({ viewport: PHONE, locale: 'kk-KZ' });
    const { secret, used } = await enrol(o.page, organizer.link, { everyLanguage: true, shotName: 'admin-enrol-360-kk' });
    await inEveryLanguage(o.page, 'enrolled');

    // The code that confirmed the enrolment is used up: signing in with it again is refused on screen.
    await o.page.click('a.button[href="/"]');
    await screen(o.page, 'signin');
    await signIn(o.page, 'aigerim', used);
    await o.page.waitForSelector('#totp-error');
    expect(await o.page.textContent('#totp-error')).toContain('бұрын пайдаланылған');
    await screen(o.page, 'signin');
    await inEveryLanguage(o.page, 'signin');
    await fitsPhone(o.page, 'signin');
    await o.page.click('.lang-switch button[data-lang="en"]');
    await shot(o.page, 'admin-signin-replayed-360-en');
    // A wrong password is refused with the catalogue's words.
    await o.page.fill('#login', 'aigerim');
    await o.page.fill('#password', 'not-the-password-at-all');
    await o.page.fill('#totp', await code(secret)); // never checked: the password is wrong
    await o.page.click('form button[type=submit]');
    await o.page.waitForSelector('[data-error="admin.signin.error.failed"]');

    // The next step's code signs in: the organizer's home is the dashboard, with figures.
    await signIn(o.page, 'aigerim', await freshCode(secret));
    await screen(o.page, 'dashboard');
    await o.page.waitForSelector('[data-figure="voted"]');
    expect(await o.page.textContent('.session-bar .who')).toContain('aigerim');
    expect(await o.page.textContent('[data-figure="eligible"]')).toMatch(/^\d[\d\s]*$/);
    await inEveryLanguage(o.page, 'dashboard');
    await fitsPhone(o.page, 'dashboard');
    await o.page.click('.lang-switch button[data-lang="ru"]');
    await shot(o.page, 'admin-dashboard-360-ru');
    expect(await o.page.getAttribute('a[href="/queues"]', 'href')).toBe('/queues');

    // Staff: add an observer (its one-time link is shown), and a control account, disabled with a reason.
    await o.page.click('.site-nav a[href="/staff"]');
    await screen(o.page, 'staff');
    await o.page.selectOption('#role', 'observer');
    await o.page.fill('#new-login', 'observer-e2e');
    await o.page.click('form button[type=submit]');
    await o.page.waitForSelector('#enrolment-link');
    const observerLink = await o.page.inputValue('#enrolment-link');
    expect(observerLink).toMatch(new RegExp(`^${stack.adminUrl}/enrol#[\\w-]{43}$`));
    await o.page.waitForSelector('tr[data-login="observer-e2e"][data-state="staff-pending"]');
    await o.page.selectOption('#role', 'control');
    await o.page.fill('#new-login', 'control-e2e');
    await o.page.click('form button[type=submit]');
    await o.page.waitForSelector('tr[data-login="control-e2e"]');
    const controlId = await o.page.getAttribute('tr[data-login="control-e2e"]', 'data-staff');
    await o.page.click(`button[data-disable="${controlId}"]`);
    await o.page.fill('#reason', 'Left the committee');
    await o.page.click('#confirm-disable');
    await o.page.waitForSelector('tr[data-login="control-e2e"][data-state="staff-disabled"]');
    await screen(o.page, 'staff');
    await inEveryLanguage(o.page, 'staff');
    await fitsPhone(o.page, 'staff');
    await shot(o.page, 'admin-staff-360-ru');

    // The observer enrols on their own phone, signs in, and sees their home with the latest trail.
    const ob = await person({ viewport: PHONE, locale: 'ru-RU' });
    const observer = await enrol(ob.page, observerLink);
    await ob.page.click('a.button[href="/"]');
    await screen(ob.page, 'signin');
    await signIn(ob.page, 'observer-e2e', await freshCode(observer.secret));
    await screen(ob.page, 'home-observer');
    await ob.page.waitForSelector('table.audit tr[data-action="staff.enrolled"]');
    await inEveryLanguage(ob.page, 'home-observer');
    await fitsPhone(ob.page, 'home-observer');
    await shot(ob.page, 'admin-home-observer-360-ru');
    // An observer may not manage staff: the page says so, the API refuses.
    await ob.page.goto(`${stack.adminUrl}/staff`);
    await ob.page.waitForSelector('.notice.error');

    // From the console to the public portal's trail: the organizer's enrolment is there.
    await ob.page.goto(`${stack.adminUrl}/`);
    await screen(ob.page, 'home-observer');
    const portalAudit = await ob.page.getAttribute('#portal-audit', 'href');
    expect(portalAudit).toBe(`${stack.resultsUrl}/audit`);
    await ob.page.click('#portal-audit');
    await screen(ob.page, 'audit');
    const row = `table.audit tr[data-action="staff.enrolled"]:has(td[data-role="organizer"])`;
    await waitInPage(ob.page, `!!document.querySelector('table.audit tr[data-action="staff.enrolled"] td[data-role="organizer"]')`);
    expect(await ob.page.textContent(row)).toContain(`staff:${organizer.id}`);
    await shot(ob.page, 'portal-audit-360-ru');

    // Sign out everywhere: back to sign-in, with the reason.
    await ob.page.goto(`${stack.adminUrl}/`);
    await screen(ob.page, 'home-observer');
    await ob.page.click('#sign-out-everywhere');
    await screen(ob.page, 'signin');
    await ob.page.waitForSelector('[data-reason="everywhere"]');

    // A session that ends by itself (here: its cookie is gone) returns the dashboard to sign-in at the next refresh.
    await o.page.goto(`${stack.adminUrl}/`);
    await screen(o.page, 'dashboard');
    await o.context.clearCookies();
    await o.page.waitForSelector('[data-reason="expired"]', { timeout: 30_000 });
    await screen(o.page, 'signin');

    // A desktop screenshot of the dashboard (README).
    const wide = await person({ viewport: DESKTOP, locale: 'en-GB' });
    await wide.page.goto(`${stack.adminUrl}/?lang=en`);
    await screen(wide.page, 'signin');
    await signIn(wide.page, 'aigerim', await freshCode(secret));
    await screen(wide.page, 'dashboard');
    await wide.page.waitForSelector('[data-figure="voted"]');
    await shot(wide.page, 'admin-dashboard-1366-en');
  }, 240_000);

  it('every console page: under 150 KB compressed on first load, nothing from another host', async () => {
    for (const path of ['/', '/enrol', '/staff']) {
      // A new browser each time: nothing cached. `people` checks every request stayed on our hosts.
      const v = await person({ viewport: PHONE, locale: 'kk-KZ' });
      const bytes = await firstLoadBytes(v.page, `${stack.adminUrl}${path}`);
      expect({ path, under150KB: bytes < 150 * 1024 }).toEqual({ path, under150KB: true });
      await v.page.waitForSelector('[data-state]');
    }
  }, 120_000);
});
