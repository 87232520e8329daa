/**
 * Quotas when party lists are formed from primary results (the party's rules): at least 20% of
 * the list under 35 and at least 30% women, reported beside the overall rating.
 */
export const YOUTH_AGE_LIMIT = 35;
export const YOUTH_MIN_SHARE = 0.2;
export const WOMEN_MIN_SHARE = 0.3;

/** Age in whole years on a date; both dates 'YYYY-MM-DD'. */
export function ageOn(birthDate: string, onDate: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = onDate.split('-').map(Number) as [number, number, number];
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}

/** Lower bounds of the age bands a ballot shows; the first ends where the youth quota does. */
const AGE_BANDS = [18, YOUTH_AGE_LIMIT, 45, 55, 65] as const;

/** The age band on a date, as the ballot shows it: `18–34`, `35–44`, `45–54`, `55–64`, `65+`. */
export function ageGroup(birthDate: string, onDate: string): string {
  const age = ageOn(birthDate, onDate);
  const i = AGE_BANDS.findLastIndex((b) => age >= b);
  const from = AGE_BANDS[Math.max(0, i)]!;
  const next = AGE_BANDS[Math.max(0, i) + 1];
  return next === undefined ? `${from}+` : `${from}–${next - 1}`;
}

/** Under 35 on election day (the youth quota's rule). */
export function isYouth(birthDate: string, electionDay: string): boolean {
  return ageOn(birthDate, electionDay) < YOUTH_AGE_LIMIT;
}

/** Members of a group a list of `seats` must hold to meet a minimum share (rounded up). */
export function requiredCount(seats: number, share: number): number {
  // Guard against 0.3 * 10 = 3.0000000000000004 rounding up to 4.
  return Math.ceil(Math.round(seats * share * 1e9) / 1e9);
}

export interface QuotaCheck {
  seats: number;
  women: number;
  youth: number;
  womenRequired: number;
  youthRequired: number;
  womenShare: number;
  youthShare: number;
  womenMet: boolean;
  youthMet: boolean;
}

/**
 * Whether a list (the top `seats` of the rating) meets both quotas. A list shorter than
 * `seats` (too few candidates) is judged against the full seat count.
 */
export function checkQuotas(list: ReadonlyArray<{ woman: boolean; youth: boolean }>, seats: number): QuotaCheck {
  const women = list.filter((c) => c.woman).length;
  const youth = list.filter((c) => c.youth).length;
  const womenRequired = requiredCount(seats, WOMEN_MIN_SHARE);
  const youthRequired = requiredCount(seats, YOUTH_MIN_SHARE);
  const share = (n: number) => (seats > 0 ? Math.round((n / seats) * 10000) / 10000 : 0);
  return {
    seats,
    women,
    youth,
    womenRequired,
    youthRequired,
    womenShare: share(women),
    youthShare: share(youth),
    womenMet: women >= womenRequired,
    youthMet: youth >= youthRequired,
  };
}

/**
 * Competition ranking ("1224") by a score, highest first: equal scores share a rank and
 * the next rank skips. Returns ranks in the input's order.
 */
export function competitionRanks(scores: readonly number[]): number[] {
  return scores.map((s) => 1 + scores.filter((o) => o > s).length);
}
