import { contestBody } from '../src/render';
import { makeSnapshot } from './snapshot-fixture';

describe('contest answer: the party list with the quotas (issue #13)', () => {
  it('answers null for a snapshot built before the party list', () => {
    const s = makeSnapshot(1);
    expect(contestBody(s, s.contests[0]!).partyList).toBeNull();
  });

  it("passes the snapshot's party list through beside the plain rating", () => {
    const s = makeSnapshot(2);
    const c = s.contests[1]!;
    // Akmola: top 2 = Gulnar (woman), Marat; nobody under 35 and no one left to bring in.
    const partyList = {
      seats: 2, filled: 2, displaced: [], women: 1, youth: 0, womenRequired: 1, youthRequired: 1, womenMet: true, youthMet: false, womenShort: 0, youthShort: 1,
      entries: [
        { position: 1, id: 201, rank: 1, woman: true, youth: false, reason: 'rating' as const },
        { position: 2, id: 202, rank: 2, woman: false, youth: false, reason: 'rating' as const },
      ],
    };
    const body = contestBody(s, { ...c, partyList });
    expect(body.partyList).toMatchObject({ seats: 2, filled: 2, displaced: [], womenMet: true, youthMet: false, youthShort: 1 });
    expect(body.partyList!.entries.map((e) => e.id)).toEqual([201, 202]);
    expect(body.quotas.top).toEqual([201, 202]);
  });
});
