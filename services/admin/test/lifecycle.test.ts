import { setTimeout as sleep } from 'node:timers/promises';
import { listAuditEvents } from '@primaries/db';
import { electionChangesChannel } from '@primaries/redis-protocols';
import { createSmallElection } from '@primaries/testing';
import { type Client, type Enrolled, type Harness, adminHarness, enrolStaff, signIn } from './harness';

// Issue #13: the lifecycle by server time and the organizers' steps on it.
let h: Harness;
let first: Enrolled;
let second: Enrolled;
let a: Client;
let b: Client;
let observer: Client;

beforeAll(async () => {
  h = await adminHarness('admin_lifecycle', { ADMIN_SIGNIN_RATE_MAX: 1000 });
  first = await enrolStaff(h, 'organizer');
  second = await enrolStaff(h, 'organizer');
  a = await signIn(h, first);
  b = await signIn(h, second);
  observer = await signIn(h, await enrolStaff(h, 'observer'));
});
afterAll(async () => h.close());

const hour = 3600_000;
const open = () => createSmallElection(h.tdb.db, { opensAt: new Date(Date.now() - hour), closesAt: new Date(Date.now() + hour) });
const scheduled = () => createSmallElection(h.tdb.db, { opensAt: new Date(Date.now() + hour), closesAt: new Date(Date.now() + 2 * hour) });
const closed = () => createSmallElection(h.tdb.db, { opensAt: new Date(Date.now() - 2 * hour), closesAt: new Date(Date.now() - hour) });
const code = (res: { json: () => unknown }) => (res.json() as { error?: { code: string } }).error?.code;
const actions = async (electionId: number) => (await listAuditEvents(h.tdb.db, 0, 1000)).filter((e) => e.subject === `election:${electionId}`);

describe('the phase', () => {
  it('is draft until scheduled, then scheduled, open, closed and published by the server\'s clock', async () => {
    const el = await scheduled();
    await h.tdb.db.updateTable('elections').set({ scheduled_at: null }).where('id', '=', el.electionId).execute();
    const phase = async () => (await observer.get(`/api/v1/elections/${el.electionId}/lifecycle`)).json<{ election: { phase: string } }>().election.phase;
    expect(await phase()).toBe('draft');
    // Even past its opening time a draft does not open.
    await h.tdb.db.updateTable('elections').set({ opens_at: new Date(Date.now() - 1000) }).where('id', '=', el.electionId).execute();
    expect(await phase()).toBe('draft');
    await h.tdb.db.updateTable('elections').set({ scheduled_at: new Date() }).where('id', '=', el.electionId).execute();
    expect(await phase()).toBe('open');
    await h.tdb.db.updateTable('elections').set({ closed_at: new Date() }).where('id', '=', el.electionId).execute();
    expect(await phase()).toBe('closed');
    await h.tdb.db.updateTable('elections').set({ results_published_at: new Date() }).where('id', '=', el.electionId).execute();
    expect(await phase()).toBe('published');
  });
});

describe('schedule', () => {
  it('schedules a draft whose pre-open check passes, with an audit event', async () => {
    const el = await scheduled();
    await h.tdb.db.updateTable('elections').set({ scheduled_at: null }).where('id', '=', el.electionId).execute();
    const res = await a.post(`/api/v1/elections/${el.electionId}/schedule`, { reason: 'contests and candidates checked' });
    expect(res.statusCode).toBe(200);
    expect(res.json().election.phase).toBe('scheduled');
    expect((await actions(el.electionId)).map((e) => e.action)).toEqual(['election.scheduled']);
    const again = await a.post(`/api/v1/elections/${el.electionId}/schedule`, { reason: 'twice' });
    expect([again.statusCode, code(again)]).toEqual([409, 'ADMIN_ERR_NOT_DRAFT']);
  });

  it('refuses a draft with problems and lists every one of them', async () => {
    const el = await scheduled();
    await h.tdb.db.updateTable('elections').set({ scheduled_at: null }).where('id', '=', el.electionId).execute();
    await h.tdb.db.updateTable('contests').set({ max_choices: 9, seats: 9 }).where('id', '=', el.contests.national).execute();
    const res = await a.post(`/api/v1/elections/${el.electionId}/schedule`, { reason: 'try' });
    expect([res.statusCode, code(res)]).toEqual([422, 'ADMIN_ERR_PRE_OPEN_FAILED']);
    expect(res.json().error.details.map((p: { code: string }) => p.code)).toEqual(['max_marks_above_candidates', 'seats_above_candidates']);
    expect(await actions(el.electionId)).toEqual([]);
  });
});

describe('extend', () => {
  it('moves the close later while open, announces the change and audits it with the reason', async () => {
    const el = await open();
    const sub = h.tr.redis.duplicate();
    const heard: string[] = [];
    sub.on('message', (_c, m) => heard.push(m));
    await sub.subscribe(electionChangesChannel(h.tr.prefix));
    const later = new Date(Date.now() + 25 * hour);
    const res = await a.post(`/api/v1/elections/${el.electionId}/extend`, { closesAt: later.toISOString(), reason: 'SMS delays on day one' });
    expect(res.statusCode).toBe(200);
    expect(res.json().election).toMatchObject({ phase: 'open', closesAt: later.toISOString() });
    for (let i = 0; i < 50 && heard.length === 0; i++) await sleep(20);
    expect(heard).toEqual([String(el.electionId)]);
    sub.disconnect();
    const [event] = await actions(el.electionId);
    expect(event).toMatchObject({ action: 'election.extended', actor: { role: 'organizer', id: String(first.id) } });
    expect(event!.reason).toContain('SMS delays on day one');
    expect(event!.reason).toContain(later.toISOString());
  });

  it('refuses a close that is not later than the current one', async () => {
    const el = await open();
    const res = await a.post(`/api/v1/elections/${el.electionId}/extend`, { closesAt: new Date(Date.now() + 60_000).toISOString(), reason: 'shorter' });
    expect([res.statusCode, code(res)]).toEqual([422, 'ADMIN_ERR_CLOSE_NOT_LATER']);
  });

  it.each([
    ['scheduled', scheduled],
    ['closed', closed],
  ])('is refused when the election is %s', async (phase, make) => {
    const el = await make();
    const res = await a.post(`/api/v1/elections/${el.electionId}/extend`, { closesAt: new Date(Date.now() + 50 * hour).toISOString(), reason: 'too late or too early' });
    expect([res.statusCode, code(res), res.json().error.message]).toEqual([409, 'ADMIN_ERR_NOT_OPEN', expect.stringContaining(phase)]);
    expect(await actions(el.electionId)).toEqual([]);
  });

  it('is for organizers only', async () => {
    const el = await open();
    const res = await observer.post(`/api/v1/elections/${el.electionId}/extend`, { closesAt: new Date(Date.now() + 50 * hour).toISOString(), reason: 'observer' });
    expect([res.statusCode, code(res)]).toEqual([403, 'ADMIN_ERR_FORBIDDEN']);
  });
});

describe('early close by two organizers', () => {
  it('one organizer asks, the same one cannot confirm, a second one closes the window', async () => {
    const el = await open();
    const asked = await a.post(`/api/v1/elections/${el.electionId}/close-requests`, { reason: 'every member has voted' });
    expect(asked.statusCode).toBe(201);
    const requestId = asked.json().closeRequest.id as number;
    const shown = (await b.get(`/api/v1/elections/${el.electionId}/lifecycle`)).json();
    expect(shown.closeRequest).toMatchObject({ id: requestId, requestedBy: { id: first.id, login: first.login }, reason: 'every member has voted' });
    const twice = await b.post(`/api/v1/elections/${el.electionId}/close-requests`, { reason: 'me too' });
    expect([twice.statusCode, code(twice)]).toEqual([409, 'ADMIN_ERR_CLOSE_ALREADY_REQUESTED']);

    const self = await a.post(`/api/v1/elections/${el.electionId}/close-requests/${requestId}/confirm`, { reason: 'confirming my own' });
    expect([self.statusCode, code(self)]).toEqual([409, 'ADMIN_ERR_SECOND_ORGANIZER_REQUIRED']);
    expect((await a.get(`/api/v1/elections/${el.electionId}/lifecycle`)).json().election.phase).toBe('open');

    const done = await b.post(`/api/v1/elections/${el.electionId}/close-requests/${requestId}/confirm`, { reason: 'agreed' });
    expect(done.statusCode).toBe(200);
    expect(done.json().election.phase).toBe('closed');
    expect(done.json().election.closedAt).not.toBeNull();
    const again = await b.post(`/api/v1/elections/${el.electionId}/close-requests/${requestId}/confirm`, { reason: 'again' });
    expect([again.statusCode, code(again)]).toEqual([409, 'ADMIN_ERR_CLOSE_REQUEST_DONE']);
    const events = await actions(el.electionId);
    expect(events.map((e) => [e.action, e.actor.id])).toEqual([
      ['election.close_requested', String(first.id)],
      ['election.closed_early', String(second.id)],
    ]);
    expect(events[1]!.reason).toContain('every member has voted');
  });

  it('a request expires', async () => {
    const el = await open();
    const asked = await a.post(`/api/v1/elections/${el.electionId}/close-requests`, { reason: 'soon' });
    const requestId = asked.json().closeRequest.id as number;
    await h.tdb.db.updateTable('election_close_requests').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', requestId).execute();
    const late = await b.post(`/api/v1/elections/${el.electionId}/close-requests/${requestId}/confirm`, { reason: 'late' });
    expect([late.statusCode, code(late)]).toEqual([410, 'ADMIN_ERR_CLOSE_REQUEST_EXPIRED']);
    expect((await a.get(`/api/v1/elections/${el.electionId}/lifecycle`)).json()).toMatchObject({ election: { phase: 'open' }, closeRequest: null });
    // An expired request no longer blocks a new one.
    expect((await b.post(`/api/v1/elections/${el.electionId}/close-requests`, { reason: 'again' })).statusCode).toBe(201);
  });

  it('is refused unless the window is open', async () => {
    const el = await scheduled();
    const res = await a.post(`/api/v1/elections/${el.electionId}/close-requests`, { reason: 'not yet open' });
    expect([res.statusCode, code(res)]).toEqual([409, 'ADMIN_ERR_NOT_OPEN']);
  });
});

describe('publish', () => {
  it('is refused before the close', async () => {
    const el = await open();
    const res = await a.post(`/api/v1/elections/${el.electionId}/publish`, { reason: 'too early' });
    expect([res.statusCode, code(res)]).toEqual([409, 'ADMIN_ERR_NOT_CLOSED']);
  });

  it('is refused while ballots are still uncounted', async () => {
    const el = await closed();
    await h.tdb.db.insertInto('sealed_ballots').values({ contest_id: el.contests.national, key_id: 'k1', sealed: Buffer.from('x') }).execute();
    const res = await a.post(`/api/v1/elections/${el.electionId}/publish`, { reason: 'early' });
    expect([res.statusCode, code(res)]).toEqual([409, 'ADMIN_ERR_BALLOTS_PENDING']);
  });

  it('sets results_published_at after the close, once, with an audit event', async () => {
    const el = await closed();
    const res = await a.post(`/api/v1/elections/${el.electionId}/publish`, { reason: 'the count is complete' });
    expect(res.statusCode).toBe(202);
    expect(res.json().election.phase).toBe('published');
    const again = await a.post(`/api/v1/elections/${el.electionId}/publish`, { reason: 'twice' });
    expect([again.statusCode, code(again)]).toEqual([409, 'ADMIN_ERR_ALREADY_PUBLISHED']);
    expect((await actions(el.electionId)).map((e) => e.action)).toEqual(['election.published']);
    // Protocols are the worker's (tested with the tally); until then the download says so.
    const protocol = await observer.get(`/api/v1/elections/${el.electionId}/contests/${el.contests.national}/protocol.csv`);
    expect([protocol.statusCode, code(protocol)]).toEqual([409, 'ADMIN_ERR_PROTOCOL_NOT_READY']);
  });
});
