import { z } from 'zod';

/**
 * Ballot validation: the body of POST /api/v1/votes and the pure rules a ballot must
 * follow (the election's rules on contests: a voter votes once in each contest of their place, marking
 * at most the contest's limit of candidates).
 */

/** Most contests one voter has (national + region + district), with room to spare. */
export const MAX_CONTESTS_PER_BODY = 10;
/** More marks than any contest allows (2020: one ballot showed 91 candidates). */
export const MAX_MARKS_PER_CONTEST = 200;

const id = z.number().int().positive().max(2_147_483_647);

/** The vote body: one selection per contest, each marking one or more candidates. */
export const voteBodySchema = z.object({
  selections: z
    .array(
      z.object({
        contestId: id,
        candidateIds: z.array(id).min(1).max(MAX_MARKS_PER_CONTEST),
      }).strict(),
    )
    .min(1)
    .max(MAX_CONTESTS_PER_BODY),
}).strict();
export type VoteBody = z.infer<typeof voteBodySchema>;
export type Selection = VoteBody['selections'][number];

/** What the rules need to know about one of the voter's contests. */
export interface BallotContest {
  id: number;
  maxChoices: number;
  /** candidate id → status; every candidate of the contest, removed ones included. */
  candidates: ReadonlyMap<number, 'active' | 'removed'>;
}

export type BallotProblemCode =
  | 'DUPLICATE_CONTEST'
  | 'NOT_YOUR_CONTEST'
  | 'UNKNOWN_CANDIDATE'
  | 'CANDIDATE_REMOVED'
  | 'TOO_MANY_MARKS'
  | 'DUPLICATE_MARK';

export interface BallotProblem {
  code: BallotProblemCode;
  contestId: number;
  candidateId?: number;
}

/** A checked selection: marks sorted ascending, so their order can't serve as a signature. */
export interface CheckedSelection {
  contestId: number;
  marks: number[];
}

/**
 * Checks selections against the voter's own contests. Returns every problem found (an
 * empty list means valid) and the normalised selections. Unknown contests and contests of
 * another place both count as NOT_YOUR_CONTEST: the answer must not tell them apart.
 */
export function checkSelections(
  selections: readonly Selection[],
  voterContests: ReadonlyMap<number, BallotContest>,
): { problems: BallotProblem[]; checked: CheckedSelection[] } {
  const problems: BallotProblem[] = [];
  const checked: CheckedSelection[] = [];
  const seenContests = new Set<number>();
  for (const s of selections) {
    if (seenContests.has(s.contestId)) {
      problems.push({ code: 'DUPLICATE_CONTEST', contestId: s.contestId });
      continue;
    }
    seenContests.add(s.contestId);
    const contest = voterContests.get(s.contestId);
    if (!contest) {
      problems.push({ code: 'NOT_YOUR_CONTEST', contestId: s.contestId });
      continue;
    }
    const marks = new Set<number>();
    for (const c of s.candidateIds) {
      if (marks.has(c)) problems.push({ code: 'DUPLICATE_MARK', contestId: s.contestId, candidateId: c });
      marks.add(c);
      const status = contest.candidates.get(c);
      if (status === undefined) problems.push({ code: 'UNKNOWN_CANDIDATE', contestId: s.contestId, candidateId: c });
      else if (status === 'removed') problems.push({ code: 'CANDIDATE_REMOVED', contestId: s.contestId, candidateId: c });
    }
    if (marks.size > contest.maxChoices) problems.push({ code: 'TOO_MANY_MARKS', contestId: s.contestId });
    checked.push({ contestId: s.contestId, marks: [...marks].sort((a, b) => a - b) });
  }
  return { problems, checked };
}

export type WindowState = 'scheduled' | 'open' | 'closed';

/**
 * The voting window by server time: actual opened_at/closed_at override the plan. A draft
 * (`scheduledAt: null`, issue #13) never opens; leaving `scheduledAt` out means scheduled.
 */
export function windowState(
  e: { opensAt: Date; closesAt: Date; openedAt: Date | null; closedAt: Date | null; scheduledAt?: Date | null },
  now: Date = new Date(),
): WindowState {
  if (e.closedAt && e.closedAt.getTime() <= now.getTime()) return 'closed';
  if (now.getTime() >= e.closesAt.getTime()) return 'closed';
  if (e.scheduledAt === null && !e.openedAt) return 'scheduled';
  if (e.openedAt && e.openedAt.getTime() <= now.getTime()) return 'open';
  if (now.getTime() >= e.opensAt.getTime()) return 'open';
  return 'scheduled';
}
