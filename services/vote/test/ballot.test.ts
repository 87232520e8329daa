import { sql } from 'kysely';
import { createSmallElection } from '@primaries/testing';
import { ELECTION_CACHE_TTL_MS } from '../src/voting/election-cache';
import { votedKey } from '@primaries/redis-protocols';
import { type VotingHarness, tableCounts, votingHarness } from './voting-fixtures';

let h: VotingHarness;
beforeAll(async () => {
  h = await votingHarness('ballot');
});
afterAll(async () => {
  await h.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

interface BallotBody {
  election: { id: number; name: string; opensAt: string; closesAt: string; state: string };
  contests: Array<{ id: number; name: string; level: string; maxChoices: number; voted: boolean; candidates: Array<{ id: number; name: string }> }>;
}

/** A member whose session is for another election of the same database. */
async function memberOf(electionId: number, regionId: number, districtId: number): Promise<string> {
  const k = Math.floor(Math.random() * 1e9);
  const row = await h.tdb.db
    .insertInto('members')
    .values({ iin: String(300000000000 + k), phone: `+7705${String(k % 1e7).padStart(7, '0')}`, full_name: 'X', gender: 'M', birth_date: '1980-01-01', region_id: regionId, district_id: districtId, primary_org: 'o', admitted_at: '2025-01-01' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { issueToken } = await import('@primaries/redis-protocols');
  return (await issueToken(h.tr.redis, h.tr.prefix, { memberId: row.id, electionId, ip: '127.0.0.1' }, 600)).token;
}

describe('GET /api/v1/ballot', () => {
  it("shows the voter's contests (national, region, district) with candidates in ballot order", async () => {
    const token = await h.token(await h.addMember(1, 0));
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) });
    expect(res.statusCode).toBe(200);
    const body = res.json() as BallotBody;
    expect(body.election).toMatchObject({ id: h.el.electionId, name: 'Test primaries', state: 'open' });
    expect(new Date(body.election.closesAt).getTime()).toBeGreaterThan(Date.now());
    expect(body.contests.map((c) => c.level)).toEqual(['national', 'region', 'district']);
    expect(body.contests.map((c) => c.id)).toEqual(h.contestsOf(1, 0));
    for (const c of body.contests) {
      expect(c.voted).toBe(false);
      expect(c.maxChoices).toBe(2);
      expect(c.candidates.map((k) => k.id)).toEqual(h.el.candidates[c.id]);
    }
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('needs a valid token', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/ballot' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('VOTE_ERR_UNAUTHORIZED');
  });

  it('marks a contest voted from participation (a paper vote) and teaches the Redis pre-check', async () => {
    const member = await h.addMember(1, 1);
    const token = await h.token(member);
    const station = await h.tdb.db
      .insertInto('polling_stations')
      .values({ election_id: h.el.electionId, district_id: h.el.districtIds[3]!, code: `PS-${member}`, settlement: 'Aul', opens_at: new Date(), closes_at: new Date(Date.now() + 3600_000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const district = h.contestsOf(1, 1)[2]!;
    await h.tdb.db.insertInto('participation').values({ member_id: member, contest_id: district, channel: 'paper', polling_station_id: station.id }).execute();
    const body = (await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) })).json() as BallotBody;
    expect(body.contests.map((c) => c.voted)).toEqual([false, false, true]);
    expect(await h.tr.redis.smembers(votedKey(h.tr.prefix, h.el.electionId, member))).toEqual([String(district)]);
    // So an online vote for that contest is refused up front.
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/votes',
      headers: auth(token),
      payload: { selections: [{ contestId: district, candidateIds: [h.el.candidates[district]![0]!] }] },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('VOTE_ERR_ALREADY_VOTED');
  });

  it(`a removed candidate leaves the ballot and is refused within the cache bound (${ELECTION_CACHE_TTL_MS} ms)`, async () => {
    const token = await h.token(await h.addMember(0, 1));
    const contest = h.contestsOf(0, 1)[2]!;
    const removed = h.el.candidates[contest]![1]!;
    // Load the cache first, then remove: the bound is what we are testing.
    await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) });
    await h.tdb.db.updateTable('candidates').set({ status: 'removed', removed_at: new Date(), removal_reason: 'skipped debates' }).where('id', '=', removed).execute();
    await new Promise((r) => setTimeout(r, ELECTION_CACHE_TTL_MS + 200));
    const body = (await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) })).json() as BallotBody;
    const shown = body.contests.find((c) => c.id === contest)!.candidates.map((k) => k.id);
    expect(shown).not.toContain(removed);
    expect(shown).toHaveLength(3);
    const before = await tableCounts(h);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/votes', headers: auth(token), payload: { selections: [{ contestId: contest, candidateIds: [removed] }] } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('VOTE_ERR_CANDIDATE_REMOVED');
    expect(await tableCounts(h)).toEqual(before);
  });
});

describe('the voting window, by server time', () => {
  it.each([
    ['scheduled', { opensAt: new Date(Date.now() + 3600_000), closesAt: new Date(Date.now() + 7200_000) }],
    ['closed', { opensAt: new Date(Date.now() - 7200_000), closesAt: new Date(Date.now() - 3600_000) }],
  ])('%s: the ballot says so and a vote is refused with 403 VOTE_ERR_WINDOW_CLOSED, writing nothing', async (state, times) => {
    const other = await createSmallElection(h.tdb.db, times);
    const token = await memberOf(other.electionId, other.regionIds[0]!, other.districtIds[0]!);
    const ballot = (await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) })).json() as BallotBody;
    expect(ballot.election.state).toBe(state);
    const before = await tableCounts(h);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/votes',
      headers: auth(token),
      payload: { selections: [{ contestId: other.contests.national, candidateIds: [other.candidates[other.contests.national]![0]!] }] },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('VOTE_ERR_WINDOW_CLOSED');
    expect(await tableCounts(h)).toEqual(before);
    expect((await h.tr.redis.keys(`${h.tr.prefix}:voted:${other.electionId}:*`)).length).toBe(0);
  });

  it('an extension (closes_at moved later) reopens, a manual close (closed_at) closes, each within the cache bound', async () => {
    const other = await createSmallElection(h.tdb.db, { opensAt: new Date(Date.now() - 7200_000), closesAt: new Date(Date.now() - 1000) });
    const token = await memberOf(other.electionId, other.regionIds[0]!, other.districtIds[0]!);
    const state = async () => ((await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) })).json() as BallotBody).election.state;
    expect(await state()).toBe('closed');
    await sql`update elections set closes_at = now() + interval '1 day' where id = ${other.electionId}`.execute(h.tdb.db);
    await new Promise((r) => setTimeout(r, ELECTION_CACHE_TTL_MS + 200));
    expect(await state()).toBe('open');
    await sql`update elections set closed_at = now() where id = ${other.electionId}`.execute(h.tdb.db);
    await new Promise((r) => setTimeout(r, ELECTION_CACHE_TTL_MS + 200));
    expect(await state()).toBe('closed');
  });
});
