import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { staffAdd } from '@primaries/cli/staff';
import { PHONE, launch, shot } from './browser';
import { enrol, fitsPhone, freshCode, signIn } from './console';
import { inEveryLanguage, people, screen, waitInPage } from './flows';
import { type Stack, startStack } from './stack';

// Issue #13 in the browser: an organizer sets an election up from CSV files on the console
// (upload, a preview that reports every bad line and writes nothing, then the import), sees
// the pre-open check; during the membership freeze an organizer may not change a member's
// status and the control committee may; an observer follows each step in the public trail.
// axe-core on every screen in kk, ru and en; 360 px wide; nothing from another host.
let stack: Stack;
let browser: Browser;
let dir: string;
const { person } = people(() => browser);

const GOOD = {
  'regions.csv': 'code,name_ru,name_kk\nEVT,Восточная область,Шығыс облысы\n',
  'districts.csv': 'code,region,name_ru,name_kk,kind\nEVT-01,EVT,г. Восток,Шығыс қ.,city\n',
  'contests.csv': 'region,district,name_ru,name_kk,seats,max_marks\nEVT,,Маслихат Восточной области,Шығыс облысының мәслихаты,1,2\n',
  'candidates.csv': 'region,district,ballot_order,full_name_ru,full_name_kk,gender,birth_date,iin,occupation\nEVT,,1,Ахметова Айгерим,,F,1985-03-03,,учитель\nEVT,,2,Беков Бота,,M,1999-04-04,,\nEVT,,3,Жанова Жанар,,F,1970-05-05,,врач\n',
};
const BAD_CANDIDATES = 'region,district,ballot_order,full_name_ru,full_name_kk,gender,birth_date,iin,occupation\nEVT,,1,Ахметова Айгерим,,F,1985-03-03,,\nEVT,,1,Дубль,,F,1985-03-03,,\nEVT,,2,,,F,1985-03-03,,\nNOPE,,1,Нет области,,M,1980-01-01,,\n';

async function files(name: string, contents: Record<string, string>): Promise<string[]> {
  const d = path.join(dir, name);
  await (await import('node:fs/promises')).mkdir(d, { recursive: true });
  return Promise.all(Object.entries(contents).map(async ([file, text]) => (await writeFile(path.join(d, file), text), path.join(d, file))));
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startStack('e2eelection', {}, { admin: true }), launch()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'primaries-e2e-election-'));
  // The election to set up: it opens later than the stack's own, so the console takes it.
  await stack.tdb.db
    .insertInto('elections')
    .values({ slug: 'e2e-setup', name: 'Праймериз 2026', name_kk: 'Праймериз 2026', opens_at: new Date(Date.now() + 3600_000), closes_at: new Date(Date.now() + 3 * 86400_000), freeze_date: '2026-09-11', election_day: '2026-12-10' })
    .execute();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('issue #13: the election from the console', () => {
  it('an organizer imports an election from CSV (preview, every bad line, import); the freeze guards member status; an observer sees it in the public trail', async () => {
    const env = { DATABASE_URL: stack.tdb.url, ADMIN_PUBLIC_URL: `${stack.adminUrl}/` };
    const organizer = await staffAdd({ role: 'organizer', login: 'org-setup' }, env);
    const o = await person({ viewport: PHONE, locale: 'ru-RU' });
    const org = await enrol(o.page, organizer.link, { weakFirst: false });
    await o.page.click('a.button[href="/"]');
    await screen(o.page, 'signin');
    await signIn(o.page, 'org-setup', await freshCode(org.secret));
    await screen(o.page, 'dashboard');

    // The setup screen: the new election has no contests yet, and the check says so.
    await o.page.click('.site-nav a[href="/setup"]');
    await screen(o.page, 'setup');
    await o.page.waitForSelector('[data-problem="no_contests"]');

    // Files with bad lines: the preview lists every one by file and line, and offers no import.
    await o.page.setInputFiles('#setup-files', await files('bad', { ...GOOD, 'candidates.csv': BAD_CANDIDATES }));
    await o.page.click('#setup-check');
    await o.page.waitForSelector('[data-report="rejected"]');
    const rejected = await o.page.$$eval('tr[data-reject]', (rows) => rows.map((r) => r.getAttribute('data-reject')));
    expect(rejected).toEqual(['candidates.csv:3', 'candidates.csv:4', 'candidates.csv:5']);
    expect(await o.page.$('#setup-confirm')).toBeNull();
    await inEveryLanguage(o.page, 'setup');
    await fitsPhone(o.page, 'setup');
    await shot(o.page, 'admin-setup-rejected-360-ru');
    // Nothing was written.
    expect(await stack.tdb.db.selectFrom('regions').select('id').where('code', '=', 'EVT').executeTakeFirst()).toBeUndefined();

    // Good files: the preview counts what would be written; the import (by keyboard) writes it.
    await o.page.setInputFiles('#setup-files', await files('good', GOOD));
    await o.page.click('#setup-check');
    await o.page.waitForSelector('[data-report="preview"]');
    expect(await o.page.textContent('tr[data-kind="candidates"] [data-count="inserted"]')).toBe('3');
    await o.page.focus('#setup-confirm');
    await o.page.keyboard.press('Enter');
    await o.page.waitForSelector('[data-report="written"]');
    await o.page.waitForSelector('[data-ready="true"]');
    await screen(o.page, 'setup');
    await shot(o.page, 'admin-setup-imported-360-ru');
    const written = await stack.tdb.db.selectFrom('candidates').innerJoin('contests', 'contests.id', 'candidates.contest_id').innerJoin('elections', 'elections.id', 'contests.election_id').select('candidates.full_name').where('elections.slug', '=', 'e2e-setup').orderBy('ballot_order').execute();
    expect(written.map((c) => c.full_name)).toEqual(['Ахметова Айгерим', 'Беков Бота', 'Жанова Жанар']);

    // The membership freeze runs (the stack's election: from 11 September until its close):
    // an organizer may not change a member's status; the control committee may.
    const member = await stack.addMember(0, 0);
    await o.page.click('.site-nav a[href="/members"]');
    await screen(o.page, 'member-status');
    await o.page.fill('#member-iin', member.iin);
    await o.page.selectOption('#member-status', 'blocked');
    await o.page.fill('#member-reason', 'Решение бюро № 7');
    await o.page.click('form button[type=submit]');
    await o.page.waitForSelector('[data-error="errors.ADMIN_ERR_FREEZE_CONTROL_ONLY"]');
    await inEveryLanguage(o.page, 'member-status');
    await fitsPhone(o.page, 'member-status');

    const control = await staffAdd({ role: 'control', login: 'control-setup' }, env);
    const c = await person({ viewport: PHONE, locale: 'kk-KZ' });
    const ctl = await enrol(c.page, control.link, { weakFirst: false });
    await c.page.click('a.button[href="/"]');
    await screen(c.page, 'signin');
    await signIn(c.page, 'control-setup', await freshCode(ctl.secret));
    await screen(c.page, 'home-control');
    await c.page.click('.site-nav a[href="/members"]');
    await screen(c.page, 'member-status');
    await c.page.fill('#member-iin', member.iin);
    await c.page.selectOption('#member-status', 'blocked');
    await c.page.fill('#member-reason', 'Шағым № 7');
    await c.page.click('form button[type=submit]');
    await c.page.waitForSelector('[data-done="true"]');
    await shot(c.page, 'admin-member-status-360-kk');
    expect((await stack.tdb.db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).toBe('blocked');

    // An observer on the public portal: the import and the status change are in the trail, without the IIN.
    const ob = await person({ viewport: PHONE, locale: 'ru-RU' });
    await ob.page.goto(`${stack.resultsUrl}/audit`);
    await screen(ob.page, 'audit');
    await waitInPage(ob.page, `!!document.querySelector('table.audit tr[data-action="election.imported"] td[data-role="organizer"]')`);
    await waitInPage(ob.page, `!!document.querySelector('table.audit tr[data-action="member.status_changed"] td[data-role="control"]')`);
    expect(await ob.page.textContent('table.audit')).not.toContain(member.iin);
    await shot(ob.page, 'portal-audit-setup-360-ru');
  }, 300_000);
});
