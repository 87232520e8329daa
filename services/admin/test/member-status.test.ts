import { makeIin } from '@primaries/domain';
import { createSmallElection } from '@primaries/testing';
import { type Client, type Harness, adminHarness, enrolStaff, signIn } from './harness';

/**
 * A member's status from the console (issue #13): organizers and control outside the
 * membership freeze; while it runs, only the control committee; every change audited with
 * its reason, never with the IIN.
 */
let h: Harness;
let organizer: Client;
let control: Client;
let electionId: number;
const iin = makeIin('1980-02-02', 'F', 42)!;
const day = (offset: number) => new Date(Date.now() + offset * 86400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  h = await adminHarness('admin_member_status');
  const e = await createSmallElection(h.tdb.db, { freezeDate: day(-30) });
  electionId = e.electionId;
  await h.tdb.db.updateTable('elections').set({ freeze_end: day(-20) }).where('id', '=', electionId).execute();
  await h.tdb.db
    .insertInto('members')
    .values({ iin, phone: '+77015559911', full_name: 'Тестова Т.', gender: 'F', birth_date: '1980-02-02', region_id: e.regionIds[0]!, district_id: e.districtIds[0]!, primary_org: 'ППО', admitted_at: '2010-01-01' })
    .execute();
  organizer = await signIn(h, await enrolStaff(h, 'organizer'));
  control = await signIn(h, await enrolStaff(h, 'control'));
});
afterAll(async () => h.close());

const status = async () => (await h.tdb.db.selectFrom('members').select(['status', 'status_reason']).where('iin', '=', iin).executeTakeFirstOrThrow());
const lastAudit = () => h.tdb.db.selectFrom('audit_events').select(['action', 'actor', 'subject', 'reason']).orderBy('id', 'desc').limit(1).executeTakeFirst();
const freeze = (start: number, end: number) => h.tdb.db.updateTable('elections').set({ freeze_date: day(start), freeze_end: day(end) }).where('id', '=', electionId).execute();

it('outside the freeze: an organizer and the control committee may both change a status, each audited', async () => {
  await freeze(-30, -20);
  const res = await organizer.post('/api/v1/members/status', { iin, status: 'suspended', reason: 'decision no. 12 of the bureau' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ member: { status: 'suspended', previousStatus: 'active' }, changed: true, duringFreeze: false });
  expect(await status()).toEqual({ status: 'suspended', status_reason: 'decision no. 12 of the bureau' });
  const event = await lastAudit();
  expect(event).toMatchObject({ action: 'member.status_changed', actor: expect.stringMatching(/^organizer:\d+$/), subject: expect.stringMatching(/^member:\d+$/), reason: 'active → suspended: decision no. 12 of the bureau' });
  expect(JSON.stringify(event)).not.toContain(iin);
  expect(res.body).not.toContain(iin);

  const back = await control.post('/api/v1/members/status', { iin, status: 'active', reason: 'reinstated by control' });
  expect(back.statusCode).toBe(200);
  expect((await status()).status).toBe('active');
  expect(await lastAudit()).toMatchObject({ actor: expect.stringMatching(/^control:\d+$/), reason: 'suspended → active: reinstated by control' });
});

it('during the freeze: an organizer is refused and nothing changes; the control committee may, audited as during the freeze', async () => {
  await freeze(-5, 5);
  const before = await h.tdb.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const refused = await organizer.post('/api/v1/members/status', { iin, status: 'expelled', reason: 'expelled by the bureau' });
  expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'ADMIN_ERR_FREEZE_CONTROL_ONLY']);
  expect((await status()).status).toBe('active');
  expect((await h.tdb.db.selectFrom('audit_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n).toBe(before.n);

  const allowed = await control.post('/api/v1/members/status', { iin, status: 'blocked', reason: 'complaint 7: coerced votes' });
  expect(allowed.statusCode).toBe(200);
  expect(allowed.json()).toMatchObject({ changed: true, duringFreeze: true });
  expect((await status()).status).toBe('blocked');
  expect(await lastAudit()).toMatchObject({ action: 'member.status_changed', actor: expect.stringMatching(/^control:\d+$/), reason: 'active → blocked (during the membership freeze): complaint 7: coerced votes' });
});

it('the freeze without an end lasts until the close; after its end an organizer may again', async () => {
  await h.tdb.db.updateTable('elections').set({ freeze_date: day(-5), freeze_end: null }).where('id', '=', electionId).execute();
  const refused = await organizer.post('/api/v1/members/status', { iin, status: 'active', reason: 'try' });
  expect(refused.statusCode).toBe(403);
  await freeze(-10, -1);
  const ok = await organizer.post('/api/v1/members/status', { iin, status: 'active', reason: 'after the freeze' });
  expect([ok.statusCode, (await status()).status]).toEqual([200, 'active']);
});

it('refuses unknown members, bad IINs, short reasons and other roles with stable codes', async () => {
  await freeze(-30, -20);
  const unknown = await organizer.post('/api/v1/members/status', { iin: makeIin('1970-01-01', 'M', 5)!, status: 'blocked', reason: 'no such member' });
  expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'ADMIN_ERR_MEMBER_NOT_FOUND']);
  const badIin = await organizer.post('/api/v1/members/status', { iin: '123456789012', status: 'blocked', reason: 'bad iin' });
  expect([badIin.statusCode, badIin.json().error.code]).toEqual([400, 'ADMIN_ERR_VALIDATION']);
  expect(badIin.body).not.toContain('123456789012');
  const noReason = await organizer.post('/api/v1/members/status', { iin, status: 'blocked', reason: '' });
  expect(noReason.statusCode).toBe(400);
  const observer = await signIn(h, await enrolStaff(h, 'observer'));
  const forbidden = await observer.post('/api/v1/members/status', { iin, status: 'blocked', reason: 'not mine to do' });
  expect([forbidden.statusCode, forbidden.json().error.code]).toEqual([403, 'ADMIN_ERR_FORBIDDEN']);
  expect((await status()).status).toBe('active');
});
