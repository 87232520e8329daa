import { type BallotContest, checkSelections, voteBodySchema, windowState } from '../src/ballot';

const contest = (id: number, maxChoices: number, active: number[], removed: number[] = []): BallotContest => ({
  id,
  maxChoices,
  candidates: new Map([...active.map((c) => [c, 'active'] as const), ...removed.map((c) => [c, 'removed'] as const)]),
});
const mine = new Map([
  [1, contest(1, 2, [11, 12, 13], [14])],
  [2, contest(2, 1, [21, 22])],
]);

describe('checkSelections', () => {
  it('accepts a valid ballot and sorts the marks', () => {
    const r = checkSelections([{ contestId: 1, candidateIds: [13, 11] }, { contestId: 2, candidateIds: [22] }], mine);
    expect(r.problems).toEqual([]);
    expect(r.checked).toEqual([{ contestId: 1, marks: [11, 13] }, { contestId: 2, marks: [22] }]);
  });

  it.each([
    ['a contest not on the ballot', [{ contestId: 3, candidateIds: [31] }], 'NOT_YOUR_CONTEST'],
    ['a candidate of another contest', [{ contestId: 2, candidateIds: [11] }], 'UNKNOWN_CANDIDATE'],
    ['a removed candidate', [{ contestId: 1, candidateIds: [14] }], 'CANDIDATE_REMOVED'],
    ['more marks than allowed', [{ contestId: 2, candidateIds: [21, 22] }], 'TOO_MANY_MARKS'],
    ['the same mark twice', [{ contestId: 1, candidateIds: [11, 11] }], 'DUPLICATE_MARK'],
    ['the same contest twice', [{ contestId: 2, candidateIds: [21] }, { contestId: 2, candidateIds: [22] }], 'DUPLICATE_CONTEST'],
  ])('refuses %s', (_name, selections, code) => {
    expect(checkSelections(selections, mine).problems[0]?.code).toBe(code);
  });

  it('counts distinct marks against the limit', () => {
    // [21, 21] is one distinct mark: a duplicate, but not too many.
    expect(checkSelections([{ contestId: 2, candidateIds: [21, 21] }], mine).problems.map((p) => p.code)).toEqual(['DUPLICATE_MARK']);
  });
});

describe('voteBodySchema', () => {
  it.each([
    [{}],
    [{ selections: [] }],
    [{ selections: [{ contestId: 1, candidateIds: [] }] }],
    [{ selections: [{ contestId: 0, candidateIds: [1] }] }],
    [{ selections: [{ contestId: 1.5, candidateIds: [1] }] }],
    [{ selections: [{ contestId: 1, candidateIds: [1] }], extra: true }],
    [{ selections: Array.from({ length: 11 }, (_, i) => ({ contestId: i + 1, candidateIds: [1] })) }],
  ])('refuses the malformed body %j', (body) => {
    expect(voteBodySchema.safeParse(body).success).toBe(false);
  });
});

describe('windowState (server time)', () => {
  const t = (h: number) => new Date(Date.UTC(2026, 9, 1, h));
  const planned = { opensAt: t(0), closesAt: t(14), openedAt: null, closedAt: null };
  it('follows the plan', () => {
    expect(windowState(planned, t(-1))).toBe('scheduled');
    expect(windowState(planned, t(0))).toBe('open');
    expect(windowState(planned, t(14))).toBe('closed');
  });
  it('an early opening or a manual close overrides the plan; an extension moves closesAt', () => {
    expect(windowState({ ...planned, openedAt: t(-2) }, t(-1))).toBe('open');
    expect(windowState({ ...planned, closedAt: t(10) }, t(11))).toBe('closed');
    expect(windowState({ ...planned, closesAt: t(38) }, t(20))).toBe('open');
  });
});
