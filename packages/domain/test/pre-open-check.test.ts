import { type PreOpenInput, preOpenProblems } from '../src/pre-open-check';

const now = new Date('2026-09-30T12:00:00Z');
const ready: PreOpenInput = {
  election: { opensAt: new Date('2026-10-01T00:00:00Z'), closesAt: new Date('2026-10-03T14:00:00Z'), openedAt: null },
  contests: [{ id: 1, name: 'National', seats: 2, maxMarks: 3, candidates: 8 }],
  deployment: { production: true, smsProvider: 'http', smsHttpUrl: 'https://sms.example.kz/send', ballotKeys: 1 },
  now,
};

describe('pre-open check', () => {
  it('finds nothing wrong with a ready election', () => {
    expect(preOpenProblems(ready)).toEqual([]);
  });

  it('lists every problem at once instead of stopping at the first', () => {
    const problems = preOpenProblems({
      ...ready,
      election: { opensAt: new Date('2026-10-03T14:00:00Z'), closesAt: new Date('2026-10-01T00:00:00Z'), openedAt: null },
      contests: [
        { id: 1, name: 'National', seats: 2, maxMarks: 3, candidates: 0 },
        { id: 2, name: 'Region', seats: 5, maxMarks: 6, candidates: 4 },
        { id: 3, name: 'District', seats: 1, maxMarks: 1, candidates: 1 },
      ],
      deployment: { production: true, smsProvider: undefined, smsHttpUrl: undefined, ballotKeys: 0 },
    });
    expect(problems.map((p) => [p.code, p.contestId])).toEqual([
      ['window_inverted', undefined],
      ['contest_without_candidates', 1],
      ['max_marks_above_candidates', 2],
      ['seats_above_candidates', 2],
      ['sms_provider_missing', undefined],
      ['ballot_keys_missing', undefined],
    ]);
    expect(problems[2]!.message).toBe('contest 2 (Region) allows 6 marks but has 4 candidates');
  });

  it('reports a missing window, no contests, an http provider without its URL', () => {
    const problems = preOpenProblems({
      ...ready,
      election: { opensAt: null, closesAt: null, openedAt: null },
      contests: [],
      deployment: { production: true, smsProvider: 'http', smsHttpUrl: undefined, ballotKeys: 2 },
    });
    expect(problems.map((p) => p.code)).toEqual(['window_missing', 'no_contests', 'sms_provider_missing']);
  });

  it('says when the window has opened or passed', () => {
    const open = { ...ready, now: new Date('2026-10-02T00:00:00Z') };
    expect(preOpenProblems(open).map((p) => p.code)).toEqual(['already_open']);
    const past = { ...ready, now: new Date('2026-10-05T00:00:00Z') };
    expect(preOpenProblems(past).map((p) => p.code)).toEqual(['window_past']);
    expect(preOpenProblems({ ...ready, election: { ...ready.election, openedAt: now } }).map((p) => p.code)).toEqual(['already_open']);
  });

  it('does not ask for an SMS provider or ballot keys outside production', () => {
    const dev = { ...ready, deployment: { production: false, smsProvider: 'outbox', smsHttpUrl: undefined, ballotKeys: 0 } };
    expect(preOpenProblems(dev)).toEqual([]);
    expect(preOpenProblems({ ...ready, deployment: { ...ready.deployment, smsProvider: 'rehearsal' } }).map((p) => p.code)).toEqual(['sms_provider_missing']);
  });
});
