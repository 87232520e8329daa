import { ageOn, checkQuotas, competitionRanks, isYouth, requiredCount } from '../src/quotas';

describe('quotas', () => {
  it('counts age in whole years, birthday included', () => {
    expect(ageOn('1991-10-03', '2026-10-03')).toBe(35);
    expect(ageOn('1991-10-04', '2026-10-03')).toBe(34);
    expect(ageOn('2000-02-29', '2026-02-28')).toBe(25);
  });

  it('is youth strictly under 35 on election day', () => {
    expect(isYouth('1991-10-04', '2026-10-03')).toBe(true);
    expect(isYouth('1991-10-03', '2026-10-03')).toBe(false);
  });

  it('rounds the required count up without float noise', () => {
    expect(requiredCount(10, 0.3)).toBe(3);
    expect(requiredCount(10, 0.2)).toBe(2);
    expect(requiredCount(2, 0.3)).toBe(1);
    expect(requiredCount(7, 0.2)).toBe(2);
  });

  it('reports whether a list meets 30% women and 20% under 35', () => {
    const list = [
      { woman: true, youth: false },
      { woman: false, youth: false },
      { woman: true, youth: true },
      { woman: false, youth: false },
      { woman: false, youth: false },
    ];
    expect(checkQuotas(list, 5)).toEqual({
      seats: 5, women: 2, youth: 1, womenRequired: 2, youthRequired: 1, womenShare: 0.4, youthShare: 0.2, womenMet: true, youthMet: true,
    });
    const short = checkQuotas(list.slice(1, 2), 5);
    expect(short.womenMet).toBe(false);
    expect(short.youthMet).toBe(false);
  });

  it('ranks ties equally and skips', () => {
    expect(competitionRanks([10, 7, 10, 3, 7])).toEqual([1, 3, 1, 5, 3]);
    expect(competitionRanks([])).toEqual([]);
  });
});

describe('ageGroup', () => {
  it('puts an age in the band a ballot shows, the first band being the under-35s', async () => {
    const { ageGroup } = await import('../src/quotas');
    expect(ageGroup('1995-05-01', '2026-10-01')).toBe('18–34');
    expect(ageGroup('1991-10-02', '2026-10-01')).toBe('18–34'); // 34 the day before the birthday
    expect(ageGroup('1991-10-01', '2026-10-01')).toBe('35–44');
    expect(ageGroup('1970-01-01', '2026-10-01')).toBe('55–64');
    expect(ageGroup('1950-01-01', '2026-10-01')).toBe('65+');
  });
});
