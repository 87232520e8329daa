import { claimContests } from '@primaries/redis-protocols';
import { type SmallElection, createSmallElection } from '@primaries/testing';
import { type Client, type Enrolled, type Harness, adminHarness, enrolStaff, signIn } from './harness';
import { addPaperMember, addStation, listAt } from './paper-fixtures';

/** The precinct commission's check-in (issue #15): scoping, the window, undo until handed over, the shared guard. */
let h: Harness;
let el: SmallElection;
let stationA: number;
let stationB: number;
let closed: number;
let a: Client;
let b: Client;
let aStaff: Enrolled;

beforeAll(async () => {
  h = await adminHarness('admin_paper_checkin', { ADMIN_SIGNIN_RATE_MAX: 1000 });
  el = await createSmallElection(h.tdb.db);
  stationA = await addStation(h.tdb.db, el, 'PS-A');
  stationB = await addStation(h.tdb.db, el, 'PS-B', 1, 1);
  closed = await addStation(h.tdb.db, el, 'PS-C', 0, 1, new Date(Date.now() - 7200_000), new Date(Date.now() - 3600_000));
  aStaff = await enrolStaff(h, 'precinct', { stationId: stationA });
  a = await signIn(h, aStaff);
  b = await signIn(h, await enrolStaff(h, 'precinct', { stationId: stationB }));
});
afterAll(async () => h.close());

const contestsOf = (r: number, d: number) => [el.contests.national, el.contests.region[r]!, el.contests.district[r * 2 + d]!];

async function participation(memberId: string) {
  return h.tdb.db.selectFrom('participation').select(['contest_id', 'channel', 'polling_station_id']).where('member_id', '=', memberId).orderBy('contest_id').execute();
}

it('finds a member on the list, checks them in for the contests of their place, and writes paper participation', async () => {
  const m = await addPaperMember(h.tdb.db, el);
  await listAt(h.tdb.db, el, stationA, [m.id]);
  const look = await a.post('/api/v1/paper/lookup', { iin: m.iin });
  expect(look.statusCode).toBe(200);
  expect(look.json().member).toMatchObject({ onList: true, eligible: true, checkin: null });
  expect(look.json().member.contests.map((c: { state: string }) => c.state)).toEqual(['open', 'open', 'open']);
  const res = await a.post('/api/v1/paper/checkins', { iin: m.iin });
  expect(res.statusCode).toBe(201);
  expect(res.json().contestIds).toEqual(contestsOf(0, 1));
  expect(await participation(m.id)).toEqual(contestsOf(0, 1).map((c) => ({ contest_id: c, channel: 'paper', polling_station_id: stationA })));
  // Twice: refused.
  expect((await a.post('/api/v1/paper/checkins', { iin: m.iin })).json().error.code).toBe('ADMIN_ERR_ALREADY_VOTED');
  const events = await h.tdb.db.selectFrom('audit_events').select(['action', 'subject', 'reason']).where('action', '=', 'paper.checked-in').execute();
  expect(events).toHaveLength(1);
  // The trail names the check-in, never the member or their IIN.
  expect(JSON.stringify(events)).not.toContain(m.iin);
  expect(events[0]!.subject).toBe(`paper-checkin:${res.json().checkinId}`);
});

it('refuses on paper a member who voted online (the same pre-check claim), and online a member checked in on paper', async () => {
  const online = await addPaperMember(h.tdb.db, el);
  const paper = await addPaperMember(h.tdb.db, el);
  await listAt(h.tdb.db, el, stationA, [online.id, paper.id]);
  // The vote route's claim for every contest of the member (what POST /api/v1/votes runs first).
  const claim = (memberId: string) => claimContests(h.tr.redis, h.tr.prefix, { electionId: el.electionId, memberId, contestIds: contestsOf(0, 1), receiptHashes: contestsOf(0, 1).map((c) => `${memberId}-${c}`) }, 0);
  expect(await claim(online.id)).toBeNull();
  const look = await a.post('/api/v1/paper/lookup', { iin: online.iin });
  expect(look.json().member.contests.map((c: { state: string }) => c.state)).toEqual(['voted', 'voted', 'voted']);
  const refused = await a.post('/api/v1/paper/checkins', { iin: online.iin });
  expect(refused.statusCode).toBe(409);
  expect(refused.json().error.code).toBe('ADMIN_ERR_ALREADY_VOTED');
  expect(await participation(online.id)).toEqual([]);

  expect((await a.post('/api/v1/paper/checkins', { iin: paper.iin })).statusCode).toBe(201);
  expect(await claim(paper.id)).toMatchObject({ contestId: contestsOf(0, 1)[0] });
});

it('refuses on paper a vote Postgres has but Redis lost (participation is the last word)', async () => {
  const m = await addPaperMember(h.tdb.db, el);
  await listAt(h.tdb.db, el, stationA, [m.id]);
  await h.tdb.db.insertInto('participation').values(contestsOf(0, 1).map((c) => ({ member_id: m.id, contest_id: c, channel: 'online' as const, polling_station_id: null }))).execute();
  const res = await a.post('/api/v1/paper/checkins', { iin: m.iin });
  expect(res.json().error.code).toBe('ADMIN_ERR_ALREADY_VOTED');
  expect((await participation(m.id)).every((p) => p.channel === 'online')).toBe(true);
});

it('undoes a check-in only until the ballot is handed over, with the reason in the trail; online voting is open again', async () => {
  const m = await addPaperMember(h.tdb.db, el);
  const n = await addPaperMember(h.tdb.db, el);
  await listAt(h.tdb.db, el, stationA, [m.id, n.id]);
  const first = (await a.post('/api/v1/paper/checkins', { iin: m.iin })).json().checkinId as number;
  expect((await a.post(`/api/v1/paper/checkins/${first}/undo`, { reason: 'wrong person' })).statusCode).toBe(200);
  expect(await participation(m.id)).toEqual([]);
  expect(await claimContests(h.tr.redis, h.tr.prefix, { electionId: el.electionId, memberId: m.id, contestIds: contestsOf(0, 1), receiptHashes: ['x1', 'x2', 'x3'] }, 0)).toBeNull();
  const undone = await h.tdb.db.selectFrom('audit_events').select(['reason']).where('action', '=', 'paper.checkin-undone').executeTakeFirstOrThrow();
  expect(undone.reason).toBe('wrong person');

  const second = (await a.post('/api/v1/paper/checkins', { iin: n.iin })).json().checkinId as number;
  expect((await a.post(`/api/v1/paper/checkins/${second}/hand-over`)).statusCode).toBe(200);
  const late = await a.post(`/api/v1/paper/checkins/${second}/undo`, { reason: 'too late' });
  expect(late.statusCode).toBe(409);
  expect(late.json().error.code).toBe('ADMIN_ERR_HANDED_OVER');
  expect(await participation(n.id)).toHaveLength(3);
});

it('a precinct account cannot act for another station', async () => {
  const m = await addPaperMember(h.tdb.db, el);
  await listAt(h.tdb.db, el, stationA, [m.id]);
  // B looks up A's voter: not on B's list; a check-in is refused.
  expect((await b.post('/api/v1/paper/lookup', { iin: m.iin })).json().member.onList).toBe(false);
  const wrong = await b.post('/api/v1/paper/checkins', { iin: m.iin });
  expect(wrong.statusCode).toBe(422);
  expect(wrong.json().error.code).toBe('ADMIN_ERR_NOT_ON_LIST');
  const id = (await a.post('/api/v1/paper/checkins', { iin: m.iin })).json().checkinId as number;
  for (const path of ['hand-over', 'undo']) {
    const res = await b.post(`/api/v1/paper/checkins/${id}/${path}`, { reason: 'not mine' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('ADMIN_ERR_OTHER_STATION');
  }
  expect(await participation(m.id)).toHaveLength(3);
  // Other roles may not check in at all.
  const organizer = await signIn(h, await enrolStaff(h, 'organizer'));
  expect((await organizer.post('/api/v1/paper/checkins', { iin: m.iin })).statusCode).toBe(403);
});

it('checks in only while the station is open by server time, and only eligible members', async () => {
  const c = await signIn(h, await enrolStaff(h, 'precinct', { stationId: closed }));
  const m = await addPaperMember(h.tdb.db, el);
  await listAt(h.tdb.db, el, closed, [m.id]);
  const res = await c.post('/api/v1/paper/checkins', { iin: m.iin });
  expect(res.statusCode).toBe(409);
  expect(res.json().error.code).toBe('ADMIN_ERR_STATION_NOT_OPEN');
  const expelled = await addPaperMember(h.tdb.db, el, 0, 1, 'expelled');
  await listAt(h.tdb.db, el, stationA, [expelled.id]);
  expect((await a.post('/api/v1/paper/checkins', { iin: expelled.iin })).json().error.code).toBe('ADMIN_ERR_NOT_ELIGIBLE');
  expect((await a.post('/api/v1/paper/checkins', { iin: '000000000000' })).json().error.code).toBe('ADMIN_ERR_MEMBER_NOT_FOUND');
});
