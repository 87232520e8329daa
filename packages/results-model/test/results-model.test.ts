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
});
