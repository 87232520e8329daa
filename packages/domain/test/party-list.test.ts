import { formPartyList, type RatedCandidate } from '../src/party-list';

/** A rated candidate: id = rank unless given; flags 'W' woman, 'Y' under 35, 'R' removed. */
function c(rank: number, flags = '', id = rank, ballotOrder = rank): RatedCandidate {
  const removed = flags.includes('R');
  return { id, rank: removed ? null : rank, ballotOrder, woman: flags.includes('W'), youth: flags.includes('Y'), removed };
}
const ids = (l: ReturnType<typeof formPartyList>) => l.entries.map((e) => e.id);

describe('party list with quotas (hand-computed fixtures)', () => {
  it('keeps the plain top-seats list when both quotas are already met', () => {
    // 5 seats: ⌈1.5⌉ = 2 women, ⌈1⌉ = 1 under 35.
    const list = formPartyList([c(1), c(2, 'W'), c(3, 'Y'), c(4, 'W'), c(5), c(6, 'WY'), c(7, 'W')], 5);
    expect(ids(list)).toEqual([1, 2, 3, 4, 5]);
    expect(list).toMatchObject({ seats: 5, filled: 5, displaced: [], women: 2, youth: 1, womenRequired: 2, youthRequired: 1, womenMet: true, youthMet: true, womenShort: 0, youthShort: 0 });
    expect(list.entries.every((e) => e.reason === 'rating')).toBe(true);
    expect(list.entries.map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);
  });

  it('women short: the lowest-ranked elected who can give way does, the next woman comes in', () => {
    // Top 5 = 1..5 has one woman (4) and its only under-35 is 5, so 5 cannot give way
    // (youth would fall short) and 4 is a woman: 3 gives way to 7, the next woman.
    const list = formPartyList([c(1), c(2), c(3), c(4, 'W'), c(5, 'Y'), c(6), c(7, 'W'), c(8, 'W')], 5);
    expect(ids(list)).toEqual([1, 2, 4, 5, 7]);
    expect(list.displaced).toEqual([3]);
    expect(list.entries.find((e) => e.id === 7)).toMatchObject({ position: 5, rank: 7, reason: 'women' });
    expect(list).toMatchObject({ women: 2, youth: 1, womenMet: true, youthMet: true });
  });

  it('youth short: the two lowest-ranked men give way to the next two under-35s', () => {
    // 10 seats: 3 women, 2 under 35. Top 10 has women 2, 5, 8 and no under-35.
    const rating = [c(1), c(2, 'W'), c(3), c(4), c(5, 'W'), c(6), c(7), c(8, 'W'), c(9), c(10), c(11), c(12, 'Y'), c(13, 'WY'), c(14, 'Y')];
    const list = formPartyList(rating, 10);
    expect(ids(list)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 12, 13]);
    expect(list.displaced).toEqual([9, 10]);
    expect(list.entries.slice(-2).map((e) => e.reason)).toEqual(['youth', 'women+youth']);
    expect(list).toMatchObject({ women: 4, youth: 2, womenRequired: 3, youthRequired: 2, womenMet: true, youthMet: true });
  });

  it('both short: a young woman counts for both quotas', () => {
    // 5 seats, top 5 all men over 35: 6 (woman, under 35) fixes both with one place, 8 the second woman.
    const list = formPartyList([c(1), c(2), c(3), c(4), c(5), c(6, 'WY'), c(7), c(8, 'W')], 5);
    expect(ids(list)).toEqual([1, 2, 3, 6, 8]);
    expect(list.displaced).toEqual([4, 5]);
    expect(list.entries.map((e) => e.reason)).toEqual(['rating', 'rating', 'rating', 'women+youth', 'women']);
    expect(list).toMatchObject({ women: 2, youth: 1, womenMet: true, youthMet: true });
  });

  it('both short with separate candidates: newcomers come in rating order', () => {
    const list = formPartyList([c(1), c(2), c(3), c(4), c(5), c(6, 'Y'), c(7, 'W'), c(8, 'W')], 5);
    expect(ids(list)).toEqual([1, 2, 6, 7, 8]);
    expect(list.displaced).toEqual([3, 4, 5]);
    expect(list.entries.slice(2).map((e) => e.reason)).toEqual(['youth', 'women', 'women']);
  });

  it('not enough qualifying candidates: fills what it can and says how short', () => {
    // 10 seats need 3 women and 2 under 35; the contest has 2 women (3, 11) and 1 under 35 (12).
    const rating = Array.from({ length: 12 }, (_, k) => c(k + 1, k + 1 === 3 || k + 1 === 11 ? 'W' : k + 1 === 12 ? 'Y' : ''));
    const list = formPartyList(rating, 10);
    expect(ids(list)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 11, 12]);
    expect(list.displaced).toEqual([9, 10]);
    expect(list).toMatchObject({ filled: 10, women: 2, youth: 1, womenMet: false, youthMet: false, womenShort: 1, youthShort: 1 });
  });

  it('fewer active candidates than seats: a short list judged against all seats', () => {
    const list = formPartyList([c(1, 'W'), c(2), c(3)], 5);
    expect(list).toMatchObject({ seats: 5, filled: 3, women: 1, womenRequired: 2, womenShort: 1, youthShort: 1, displaced: [] });
  });

  it('removed candidates never take a place, even when they would meet a quota', () => {
    const list = formPartyList([c(1), c(2), c(3), c(0, 'WYR', 40), c(4, 'WY')], 3);
    expect(ids(list)).toEqual([1, 2, 4]);
    expect(list.displaced).toEqual([3]);
    expect(list.entries.some((e) => e.id === 40)).toBe(false);
  });

  it('breaks a tie at the last seat by ballot order', () => {
    const list = formPartyList([c(1, 'W'), c(2, 'Y'), c(3, '', 30, 7), c(3, '', 31, 2)], 3);
    expect(ids(list)).toEqual([1, 2, 31]);
  });

  it('handles an empty contest and zero seats', () => {
    expect(formPartyList([], 3)).toMatchObject({ filled: 0, womenShort: 1, youthShort: 1 });
    expect(formPartyList([c(1)], 0)).toMatchObject({ filled: 0, womenRequired: 0, youthRequired: 0, womenMet: true, youthMet: true });
  });
});
