import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '@primaries/db';
import { type Snapshot, resultsKeys, snapshotSchema } from '@primaries/results-model';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis } from '@primaries/testing';
import { rebuildResults } from '../src/tally/rebuild';

// A hand-counted election: every expected number below is worked out in the comments.
let tdb: TestDatabase;
let tr: TestRedis;
let el: SmallElection;
let A: number, B: number, C: number, D: number; // national: A F 1995 (youth), B M 1970, C F 1980, D M 1965
let rA: number, rB: number, rC: number, rD: number; // region 1 council, same people

async function addMember(db: Kysely<Database>, n: number, regionId: number, districtId: number, extra: { admitted_at?: string; status?: 'active' | 'expelled' } = {}) {
  const row = await db
    .insertInto('members')
    .values({
      iin: String(100000000000 + n),
      phone: `+7701${String(n).padStart(7, '0')}`,
      full_name: `Member ${n}`,
      gender: 'M',
      birth_date: '1980-01-01',
      region_id: regionId,
      district_id: districtId,
      primary_org: 'org',
      admitted_at: extra.admitted_at ?? '2025-01-01',
      ...(extra.status ? { status: extra.status } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  tdb = await createTestDatabase('tally');
  tr = await createTestRedis('tally');
  const db = tdb.db;
  el = await createSmallElection(db, { maxChoices: 3 });
  [A, B, C, D] = el.candidates[el.contests.national] as [number, number, number, number];
  [rA, rB, rC, rD] = el.candidates[el.contests.region[0]!] as [number, number, number, number];
  const [r1, r2] = el.regionIds as [number, number];
  const [d11, , d21] = el.districtIds as [number, number, number, number];

  // Region 1: 6 eligible (m1–m6), m7 admitted after the 2026-09-11 freeze, m8 expelled.
  // Region 2: 4 eligible (m9–m12).
  const m: string[] = [];
  for (let i = 1; i <= 6; i++) m[i] = await addMember(db, i, r1, d11);
  m[7] = await addMember(db, 7, r1, d11, { admitted_at: '2026-10-01' });
  m[8] = await addMember(db, 8, r1, d11, { status: 'expelled' });
  for (let i = 9; i <= 12; i++) m[i] = await addMember(db, i, r2, d21);

  // Authorized: m1 (twice), m2, m3, m4, m7 in region 1 → 5; m9, m10 in region 2 → 2.
  await db
    .insertInto('authorizations')
    .values([1, 1, 2, 3, 4, 7, 9, 10].map((i) => ({ election_id: el.electionId, member_id: m[i]!, ip: '10.0.0.1' })))
    .execute();

  const station = await db
    .insertInto('polling_stations')
    .values({ election_id: el.electionId, district_id: d21, code: 'PS1', settlement: 'Aul', opens_at: new Date(), closes_at: new Date(Date.now() + 3600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const station2 = await db
    .insertInto('polling_stations')
    .values({ election_id: el.electionId, district_id: d21, code: 'PS2', settlement: 'Aul 2', opens_at: new Date(), closes_at: new Date(Date.now() + 3600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();

  // Voted: m1 (national + region), m2, m3 in region 1 → 3; m9 online, m10 on paper in region 2 → 2.
  const N = el.contests.national;
  const R1 = el.contests.region[0]!;
  await db
    .insertInto('participation')
    .values([
      // Hours (turnout over time): m1 first at 09:00 (its second contest at 10:00 does not count again),
      // m2 and m3 at 10:00, m9 online and m10 on paper at 12:00; nobody at 11:00.
      { member_id: m[1]!, contest_id: N, channel: 'online', polling_station_id: null, recorded_hour: '2026-10-01T09:00:00Z' },
      { member_id: m[1]!, contest_id: R1, channel: 'online', polling_station_id: null, recorded_hour: '2026-10-01T10:00:00Z' },
      { member_id: m[2]!, contest_id: N, channel: 'online', polling_station_id: null, recorded_hour: '2026-10-01T10:00:00Z' },
      { member_id: m[3]!, contest_id: R1, channel: 'online', polling_station_id: null, recorded_hour: '2026-10-01T10:00:00Z' },
      { member_id: m[9]!, contest_id: N, channel: 'online', polling_station_id: null, recorded_hour: '2026-10-01T12:00:00Z' },
      { member_id: m[10]!, contest_id: N, channel: 'paper', polling_station_id: station.id, recorded_hour: '2026-10-01T12:00:00Z' },
    ])
    .execute();

  // National online ballots: [A,B] [A,D] [B,C] [D]; region 1: [rB] [rB,rC].
  const ballot = (contest_id: number, marks: number[]) => ({ contest_id, marks });
  await db
    .insertInto('ballots')
    .values([ballot(N, [A, B]), ballot(N, [A, D]), ballot(N, [B, C]), ballot(N, [D]), ballot(R1, [rB]), ballot(R1, [rB, rC])])
    .execute();

  // Paper, national: accepted protocol, 3 cast, 1 spoiled → 2 valid; A 1, C 2, D 1.
  // A draft protocol (B 100) and a rejected one (C 50) must not count.
  const protocol = async (stationId: number, status: 'accepted' | 'draft' | 'rejected', cast: number, spoiled: number, votes: Array<[number, number]>) => {
    const p = await db
      .insertInto('paper_protocols')
      .values({ polling_station_id: stationId, contest_id: N, ballots_issued: cast + 5, ballots_cast: cast, ballots_spoiled: spoiled, status, entered_by: 'precinct', accepted_at: status === 'accepted' ? new Date() : null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('paper_protocol_votes').values(votes.map(([candidate_id, v]) => ({ protocol_id: p.id, candidate_id, votes: v }))).execute();
  };
  await protocol(station.id, 'accepted', 3, 1, [[A, 1], [C, 2], [D, 1]]);
  await protocol(station2.id, 'draft', 100, 0, [[B, 100]]);
  // Candidate D of the national list was removed by the party-control committee.
  await db.updateTable('candidates').set({ full_name_kk: 'Әйгерім' }).where('id', '=', A).execute();
  await db.updateTable('candidates').set({ status: 'removed', removed_at: new Date(), removal_reason: 'skipped debates' }).where('id', '=', D).execute();
});

afterAll(async () => {
  await tr?.cleanup();
  await tdb?.drop();
});

describe('results rebuild', () => {
  let snap: Snapshot;

  beforeAll(async () => {
    const result = await rebuildResults(tdb.db, tr.redis, tr.prefix, { refreshSeconds: 60, releaser: null });
    snap = result.snapshot!;
  });

  it('counts the national contest: online + paper, removed candidate excluded, ties share a rank', () => {
    const n = snap.contests.find((c) => c.id === el.contests.national)!;
    // 4 online ballots + 2 valid paper ballots.
    expect({ ballots: n.ballots, online: n.online, paper: n.paper }).toEqual({ ballots: 6, online: 4, paper: 2 });
    const rows = n.candidates.map((c) => ({ id: c.id, votes: c.votes, online: c.online, paper: c.paper, percent: c.percent, rank: c.rank, removed: c.removed }));
    expect(rows).toEqual([
      { id: A, votes: 3, online: 2, paper: 1, percent: 50, rank: 1, removed: false },
      { id: C, votes: 3, online: 1, paper: 2, percent: 50, rank: 1, removed: false },
      { id: B, votes: 2, online: 2, paper: 0, percent: 33.33, rank: 3, removed: false },
      { id: D, votes: 0, online: 0, paper: 0, percent: 0, rank: null, removed: true },
    ]);
  });

  it('ranks women and under-35s separately and checks the quotas of the top-seats list', () => {
    const n = snap.contests.find((c) => c.id === el.contests.national)!;
    const by = new Map(n.candidates.map((c) => [c.id, c]));
    expect([by.get(A)!.woman, by.get(A)!.youth, by.get(A)!.womenRank, by.get(A)!.youthRank]).toEqual([true, true, 1, 1]);
    expect([by.get(C)!.woman, by.get(C)!.youth, by.get(C)!.womenRank, by.get(C)!.youthRank]).toEqual([true, false, 1, null]);
    expect([by.get(B)!.womenRank, by.get(B)!.youthRank, by.get(D)!.womenRank]).toEqual([null, null, null]);
    expect(n.quotas).toEqual({
      seats: 2, top: [A, C], women: 2, youth: 1, womenRequired: 1, youthRequired: 1, womenShare: 1, youthShare: 0.5, womenMet: true, youthMet: true,
    });

    const r = snap.contests.find((c) => c.id === el.contests.region[0])!;
    // [rB] [rB,rC]: B 2 (100%), C 1 (50%), A and D 0 share rank 3.
    expect(r.candidates.map((c) => [c.id, c.votes, c.percent, c.rank])).toEqual([[rB, 2, 100, 1], [rC, 1, 50, 2], [rA, 0, 0, 3], [rD, 0, 0, 3]]);
    expect(r.candidates.find((c) => c.id === rC)!.womenRank).toBe(1);
    expect(r.candidates.find((c) => c.id === rA)!.womenRank).toBe(2);
    // Top 2 = B, C: one woman (needs 1), nobody under 35 (needs 1).
    expect(r.quotas).toMatchObject({ top: [rB, rC], women: 1, youth: 0, womenMet: true, youthMet: false });
  });

  it('forms the party list with the quotas applied beside the plain rating', () => {
    // National: top 2 = A (woman, under 35), C (woman): both quotas met, the list is the rating's.
    const n = snap.contests.find((c) => c.id === el.contests.national)!;
    expect(n.partyList).toMatchObject({ seats: 2, filled: 2, displaced: [], womenMet: true, youthMet: true });
    expect(n.partyList!.entries.map((e) => [e.id, e.reason])).toEqual([[A, 'rating'], [C, 'rating']]);
    // Region 1: plain top 2 = B, C has nobody under 35 (needs ⌈0.4⌉ = 1). C, the lowest-ranked
    // elected, gives way to A (rank 3, ahead of D by ballot order), a woman under 35: the
    // women's quota stays met through A.
    const r = snap.contests.find((c) => c.id === el.contests.region[0])!;
    expect(r.partyList!.entries.map((e) => [e.position, e.id, e.rank, e.reason])).toEqual([[1, rB, 1, 'rating'], [2, rA, 3, 'women+youth']]);
    expect(r.partyList).toMatchObject({ displaced: [rC], women: 1, youth: 1, womenMet: true, youthMet: true, womenShort: 0, youthShort: 0 });
  });

  it('reports turnout per region and overall', () => {
    const [r1, r2] = el.regionIds;
    expect(snap.turnout).toEqual({ eligible: 10, authorized: 7, voted: 5 });
    const byRegion = Object.fromEntries(snap.turnoutByRegion.map((t) => [t.regionId, [t.eligible, t.authorized, t.voted]]));
    expect(byRegion).toEqual({ [r1!]: [6, 5, 3], [r2!]: [4, 2, 2] });
    expect(snap.turnoutByRegion.map((t) => t.regionCode)).toEqual([`R1-${el.electionId}`, `R2-${el.electionId}`]);
  });

  it("reports turnout by the hour of each voter's first participation, counts only", () => {
    expect(snap.turnoutByHour).toEqual([
      { hour: '2026-10-01T09:00:00.000Z', voted: 1, cumulative: 1 },
      { hour: '2026-10-01T10:00:00.000Z', voted: 2, cumulative: 3 },
      { hour: '2026-10-01T12:00:00.000Z', voted: 2, cumulative: 5 },
    ]);
  });

  it('says when and why a candidate was removed, and gives names in Kazakh', () => {
    const n = snap.contests.find((c) => c.id === el.contests.national)!;
    const d = n.candidates.find((c) => c.id === D)!;
    expect(d.removalReason).toBe('skipped debates');
    expect(Date.parse(d.removedAt!)).toBeGreaterThan(Date.now() - 600_000);
    expect(n.candidates.filter((c) => c.id !== D).map((c) => [c.removedAt, c.removalReason])).toEqual([[null, null], [null, null], [null, null]]);
    expect(n.candidates.find((c) => c.id === A)!.nameKk).toBe('Әйгерім');
    expect(n.candidates.find((c) => c.id === B)!.nameKk).toBeNull();
  });

  it('leaves contests without ballots at zero', () => {
    const d = snap.contests.find((c) => c.id === el.contests.district[3])!;
    expect(d.ballots).toBe(0);
    expect(d.candidates.every((c) => c.votes === 0 && c.percent === 0 && c.rank === 1)).toBe(true);
  });

  it('publishes a versioned snapshot, moves the pointer atomically and lets the old version expire', async () => {
    const keys = resultsKeys(tr.prefix);
    expect(await tr.redis.get(keys.current)).toBe(String(snap.version));
    const stored = snapshotSchema.parse(JSON.parse((await tr.redis.get(keys.version(snap.version)))!));
    expect(stored.contests).toHaveLength(7);
    expect(stored.final).toBe(false);
    expect(new Date(stored.nextRefreshAt).getTime() - new Date(stored.generatedAt).getTime()).toBe(60_000);

    const sub = new Redis(tr.url);
    const messages: string[] = [];
    await sub.subscribe(keys.channel);
    sub.on('message', (_ch, msg) => messages.push(msg));
    await tdb.db.updateTable('elections').set({ results_published_at: new Date() }).where('id', '=', el.electionId).execute();
    const next = (await rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser: null })).snapshot!;
    expect(next.version).toBe(snap.version + 1);
    expect(next.final).toBe(true);
    // Without an override the election's own interval (1800 s by default) applies.
    expect(next.refreshSeconds).toBe(1800);
    expect(await tr.redis.get(keys.current)).toBe(String(next.version));
    const ttl = await tr.redis.ttl(keys.version(snap.version));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(await tr.redis.ttl(keys.version(next.version))).toBe(-1);
    const until = Date.now() + 2000;
    while (!messages.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(messages).toEqual([String(next.version)]);
    sub.disconnect();
  });
});
