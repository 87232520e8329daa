import { resultsKeys, snapshotSchema } from '../src';

describe('results model', () => {
  it('names the keys under the deployment prefix', () => {
    const k = resultsKeys('p1');
    expect([k.sequence, k.current, k.version(7), k.channel]).toEqual(['p1:results:seq', 'p1:results:current', 'p1:results:v7', 'p1:results:updated']);
  });

  it('rejects a snapshot without a version or with a malformed contest', () => {
    const base = {
      version: 1, electionId: 1,
      election: { id: 1, name: 'E', nameKk: null, opensAt: 'a', closesAt: 'b', state: 'open' },
      generatedAt: 'x', nextRefreshAt: 'y', refreshSeconds: 60, final: false, buildMs: 1,
      turnout: { eligible: 0, authorized: 0, voted: 0 }, turnoutByRegion: [], contests: [],
    };
    expect(snapshotSchema.safeParse(base).success).toBe(true);
    expect(snapshotSchema.safeParse({ ...base, version: 0 }).success).toBe(false);
    expect(snapshotSchema.safeParse({ ...base, contests: [{ id: 1 }] }).success).toBe(false);
    expect(snapshotSchema.safeParse({ ...base, election: { ...base.election, state: 'done' } }).success).toBe(false);
  });

  it('parses contests from before the party list (issue #13) and with one', () => {
    const contest = {
      id: 1, name: 'C', nameKk: null, level: 'national', regionId: null, region: null, regionKk: null,
      districtId: null, district: null, districtKk: null, seats: 1, maxChoices: 1, ballots: 0, online: 0, paper: 0,
      candidates: [],
      quotas: { seats: 1, top: [], women: 0, youth: 0, womenRequired: 1, youthRequired: 1, womenShare: 0, youthShare: 0, womenMet: false, youthMet: false },
    };
    const snap = {
      version: 1, electionId: 1,
      election: { id: 1, name: 'E', nameKk: null, opensAt: 'a', closesAt: 'b', state: 'open' },
      generatedAt: 'x', nextRefreshAt: 'y', refreshSeconds: 60, final: false, buildMs: 1,
      turnout: { eligible: 0, authorized: 0, voted: 0 }, turnoutByRegion: [], contests: [contest],
    };
    const old = snapshotSchema.parse(snap);
    expect(old.contests[0]!.partyList).toBeUndefined();
    const partyList = {
      seats: 1, filled: 0, entries: [], displaced: [], women: 0, youth: 0, womenRequired: 1, youthRequired: 1,
      womenMet: false, youthMet: false, womenShort: 1, youthShort: 1,
    };
    const now = snapshotSchema.parse({ ...snap, contests: [{ ...contest, partyList }] });
    expect(now.contests[0]!.partyList).toEqual(partyList);
    expect(snapshotSchema.safeParse({ ...snap, contests: [{ ...contest, partyList: { ...partyList, entries: [{ id: 1 }] } }] }).success).toBe(false);
  });
});
