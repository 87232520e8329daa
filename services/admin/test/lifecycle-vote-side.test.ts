import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '@primaries/config';
import { issueToken } from '@primaries/redis-protocols';
import { type SmallElection, createSmallElection } from '@primaries/testing';
import { buildVoteApp } from '@primaries/vote/app';
import { type Client, type Harness, adminHarness, enrolStaff, signIn } from './harness';

// Issue #13: "voters' pages show the new close at once". The vote service keeps the election
// in memory for 5 s (ELECTION_CACHE_TTL_MS); an organizer's extension or early close must not
// wait for that: the admin service announces the change and every vote instance drops its copy.
let h: Harness;
let vote: Awaited<ReturnType<typeof buildVoteApp>>;
let el: SmallElection;
let organizers: Client[];
let token: string;

beforeAll(async () => {
  h = await adminHarness('lifecycle_vote', { ADMIN_SIGNIN_RATE_MAX: 1000 });
  el = await createSmallElection(h.tdb.db, { opensAt: new Date(Date.now() - 3600_000), closesAt: new Date(Date.now() + 3600_000) });
  const config = loadConfig('vote', { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: h.tdb.url, REDIS_URL: h.tr.url, REDIS_PREFIX: h.tr.prefix });
  vote = await buildVoteApp(config, { db: h.tdb.db, redis: h.tr.redis });
  await vote.ready();
  organizers = [await signIn(h, await enrolStaff(h, 'organizer')), await signIn(h, await enrolStaff(h, 'organizer'))];
  const member = await h.tdb.db
    .insertInto('members')
    .values({ iin: '880229400003', phone: '+77051234567', full_name: 'X', gender: 'F', birth_date: '1988-02-29', region_id: el.regionIds[0]!, district_id: el.districtIds[0]!, primary_org: 'o', admitted_at: '2025-01-01' })
    .returning('id')
    .executeTakeFirstOrThrow();
  token = (await issueToken(h.tr.redis, h.tr.prefix, { memberId: member.id, electionId: el.electionId, ip: '127.0.0.1' }, 600)).token;
});
afterAll(async () => {
  await vote.close();
  await h.close();
});

const ballot = async () => (await vote.inject({ url: '/api/v1/ballot', headers: { authorization: `Bearer ${token}` } })).json<{ election: { closesAt: string; state: string } }>().election;

/** What the voter's page reads within `ms` (well under the cache's 5 s). */
async function seenWithin(ms: number, wanted: (e: { closesAt: string; state: string }) => boolean) {
  const until = Date.now() + ms;
  let e = await ballot();
  while (!wanted(e) && Date.now() < until) {
    await sleep(25);
    e = await ballot();
  }
  return e;
}

it('shows an extension on the ballot at once', async () => {
  const before = await ballot(); // the vote service now holds the election in memory
  const later = new Date(Date.parse(before.closesAt) + 86400_000).toISOString();
  const res = await organizers[0]!.post(`/api/v1/elections/${el.electionId}/extend`, { closesAt: later, reason: 'a day more' });
  expect(res.statusCode).toBe(200);
  expect(await seenWithin(1000, (e) => e.closesAt === later)).toMatchObject({ closesAt: later, state: 'open' });
});

it('refuses votes at once after a confirmed early close', async () => {
  expect((await ballot()).state).toBe('open');
  const asked = await organizers[0]!.post(`/api/v1/elections/${el.electionId}/close-requests`, { reason: 'close now' });
  const done = await organizers[1]!.post(`/api/v1/elections/${el.electionId}/close-requests/${asked.json().closeRequest.id}/confirm`, { reason: 'agreed' });
  expect(done.statusCode).toBe(200);
  expect((await seenWithin(1000, (e) => e.state === 'closed')).state).toBe('closed');
  const contest = el.contests.national;
  const cast = await vote.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${token}` }, payload: { selections: [{ contestId: contest, candidateIds: [el.candidates[contest]![0]!] }] } });
  expect([cast.statusCode, cast.json().error.code]).toEqual([403, 'VOTE_ERR_WINDOW_CLOSED']);
});
