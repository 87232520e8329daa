/**
 * The pre-open check (issue #13): everything that would make an election unfit to open,
 * all listed at once rather than stopping at the first (`pnpm primaries election check`).
 */

export interface PreOpenContest {
  id: number;
  name: string;
  seats: number;
  maxMarks: number;
  /** Active candidates on the ballot. */
  candidates: number;
}

export interface PreOpenInput {
  election: { opensAt: Date | null; closesAt: Date | null; openedAt: Date | null };
  contests: readonly PreOpenContest[];
  deployment: {
    production: boolean;
    /** SMS_PROVIDER as set (undefined: the default, the development outbox). */
    smsProvider: string | undefined;
    smsHttpUrl: string | undefined;
    /** Ballot keys configured (BALLOT_KEYS entries); outside production a development key stands in. */
    ballotKeys: number;
  };
  now: Date;
}

export type PreOpenCode =
  | 'window_missing'
  | 'window_inverted'
  | 'window_past'
  | 'already_open'
  | 'no_contests'
  | 'contest_without_candidates'
  | 'max_marks_above_candidates'
  | 'seats_above_candidates'
  | 'sms_provider_missing'
  | 'ballot_keys_missing';

export interface PreOpenProblem {
  code: PreOpenCode;
  message: string;
  contestId?: number;
}

function windowProblems({ election, now }: PreOpenInput): PreOpenProblem[] {
  const { opensAt, closesAt, openedAt } = election;
  const out: PreOpenProblem[] = [];
  if (!opensAt || !closesAt) out.push({ code: 'window_missing', message: 'the voting window has no opening or no closing time' });
  else if (closesAt <= opensAt) out.push({ code: 'window_inverted', message: `the window closes (${closesAt.toISOString()}) before it opens (${opensAt.toISOString()})` });
  else if (closesAt <= now) out.push({ code: 'window_past', message: `the window closed at ${closesAt.toISOString()}` });
  if (openedAt || (opensAt && opensAt <= now && !(closesAt && closesAt <= now))) {
    out.push({ code: 'already_open', message: 'the window has opened: the setup can no longer be edited' });
  }
  return out;
}

function contestProblems({ contests }: PreOpenInput): PreOpenProblem[] {
  if (contests.length === 0) return [{ code: 'no_contests', message: 'the election has no contests' }];
  const out: PreOpenProblem[] = [];
  for (const c of contests) {
    const at = `contest ${c.id} (${c.name})`;
    if (c.candidates === 0) {
      out.push({ code: 'contest_without_candidates', contestId: c.id, message: `${at} has no candidates` });
      continue;
    }
    if (c.maxMarks > c.candidates) {
      out.push({ code: 'max_marks_above_candidates', contestId: c.id, message: `${at} allows ${c.maxMarks} marks but has ${c.candidates} candidates` });
    }
    if (c.seats > c.candidates) {
      out.push({ code: 'seats_above_candidates', contestId: c.id, message: `${at} has ${c.seats} seats but ${c.candidates} candidates` });
    }
  }
  return out;
}

function deploymentProblems({ deployment: d }: PreOpenInput): PreOpenProblem[] {
  const out: PreOpenProblem[] = [];
  if (d.production) {
    const provider = d.smsProvider || 'outbox';
    if (provider !== 'http') out.push({ code: 'sms_provider_missing', message: `SMS_PROVIDER is ${provider}: production needs a real provider (http)` });
    else if (!d.smsHttpUrl) out.push({ code: 'sms_provider_missing', message: 'SMS_PROVIDER=http without SMS_HTTP_URL' });
    if (d.ballotKeys === 0) out.push({ code: 'ballot_keys_missing', message: 'BALLOT_KEYS is not set: ballots cannot be sealed' });
  }
  return out;
}

/** Every problem found, in a stable order: window, contests (by id), deployment. Empty when fit to open. */
export function preOpenProblems(input: PreOpenInput): PreOpenProblem[] {
  return [...windowProblems(input), ...contestProblems(input), ...deploymentProblems(input)];
}
