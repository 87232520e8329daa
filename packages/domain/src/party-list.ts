import { WOMEN_MIN_SHARE, YOUTH_AGE_LIMIT, YOUTH_MIN_SHARE, requiredCount } from './quotas';

/**
 * The party list formed from a contest's results with the quotas applied (issue #13).
 *
 * The rule, as implemented:
 * - The list has the contest's `seats` places. The plain list is the top `seats` active
 *   candidates of the rating: by competition rank (votes), ties by ballot order — the same
 *   order the results show. Removed candidates never take part.
 * - It must hold at least ⌈30 % × seats⌉ women and ⌈20 % × seats⌉ under-35s (age on the
 *   election day; rounded up: DOMAIN.md does not say, so ceil). A candidate who is both a
 *   woman and under 35 counts for both.
 * - While a quota is short, the best-ranked candidate outside the list who belongs to a short
 *   group comes in, and the lowest-ranked candidate on the list whose departure does not make
 *   any quota shorter gives way (each swap strictly reduces the total shortfall).
 * - When no such swap exists (not enough qualifying candidates), the list keeps what it has
 *   and says so: `womenMet`/`youthMet` false with the shortfall, `filled` below `seats` when
 *   there are fewer active candidates than seats.
 */

export interface RatedCandidate {
  id: number;
  /** Competition rank by votes; null for a removed candidate. */
  rank: number | null;
  ballotOrder: number;
  woman: boolean;
  /** Under 35 on election day. */
  youth: boolean;
  removed: boolean;
}

/** Why a candidate holds a place: the plain rating, or brought in by the quotas (the groups they count for). */
export type PartyListReason = 'rating' | 'women' | 'youth' | 'women+youth';

export interface PartyListEntry {
  /** Place on the list, 1-based, in rating order. */
  position: number;
  id: number;
  rank: number;
  woman: boolean;
  youth: boolean;
  reason: PartyListReason;
}

export interface PartyList {
  seats: number;
  /** Places filled: `seats`, or fewer when the contest has fewer active candidates. */
  filled: number;
  entries: PartyListEntry[];
  /** Candidates of the plain top-`seats` who gave way to a quota, in rating order. */
  displaced: number[];
  women: number;
  youth: number;
  womenRequired: number;
  youthRequired: number;
  womenMet: boolean;
  youthMet: boolean;
  /** Places the quota still lacks (0 when met): not enough qualifying candidates. */
  womenShort: number;
  youthShort: number;
}

/** The rule's parameters, for stating it beside the list. */
export const PARTY_LIST_RULE = {
  womenMinShare: WOMEN_MIN_SHARE,
  youthMinShare: YOUTH_MIN_SHARE,
  youthAgeLimit: YOUTH_AGE_LIMIT,
  rounding: 'ceil',
  ageMeasuredOn: 'election day',
} as const;

/** Rating order: rank, ties by ballot order; removed candidates excluded. */
export function ratingOrder<T extends RatedCandidate>(candidates: readonly T[]): T[] {
  return candidates
    .filter((c) => !c.removed && c.rank !== null)
    .sort((a, b) => (a.rank as number) - (b.rank as number) || a.ballotOrder - b.ballotOrder);
}

interface Need {
  women: number;
  youth: number;
}

function shortfall(list: readonly RatedCandidate[], need: Need): number {
  const women = list.filter((c) => c.woman).length;
  const youth = list.filter((c) => c.youth).length;
  return Math.max(0, need.women - women) + Math.max(0, need.youth - youth);
}

/** The best swap (incoming best-ranked, outgoing lowest-ranked) that reduces the shortfall, or null. */
function bestSwap(list: RatedCandidate[], outside: RatedCandidate[], need: Need): [number, number] | null {
  const before = shortfall(list, need);
  for (let i = 0; i < outside.length; i++) {
    const incoming = outside[i]!;
    if (!incoming.woman && !incoming.youth) continue;
    for (let j = list.length - 1; j >= 0; j--) {
      const trial = list.slice();
      trial[j] = incoming;
      if (shortfall(trial, need) < before) return [i, j];
    }
  }
  return null;
}

/** Forms the party list of one contest from its rating with the quotas applied. */
export function formPartyList(candidates: readonly RatedCandidate[], seats: number): PartyList {
  const rating = ratingOrder(candidates);
  const order = new Map(rating.map((c, k) => [c.id, k]));
  const need: Need = { women: requiredCount(seats, WOMEN_MIN_SHARE), youth: requiredCount(seats, YOUTH_MIN_SHARE) };
  const plain = rating.slice(0, Math.max(0, seats));
  const list = plain.slice();
  const outside = rating.slice(plain.length);
  const brought = new Map<number, PartyListReason>();
  while (shortfall(list, need) > 0) {
    const swap = bestSwap(list, outside, need);
    if (!swap) break;
    const [i, j] = swap;
    const incoming = outside[i]!;
    brought.set(incoming.id, incoming.woman && incoming.youth ? 'women+youth' : incoming.woman ? 'women' : 'youth');
    outside.splice(i, 1, list[j]!);
    outside.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    list[j] = incoming;
  }
  const onList = new Set(list.map((c) => c.id));
  const ordered = rating.filter((c) => onList.has(c.id));
  const women = ordered.filter((c) => c.woman).length;
  const youth = ordered.filter((c) => c.youth).length;
  return {
    seats,
    filled: ordered.length,
    entries: ordered.map((c, k) => ({
      position: k + 1,
      id: c.id,
      rank: c.rank as number,
      woman: c.woman,
      youth: c.youth,
      reason: brought.get(c.id) ?? 'rating',
    })),
    displaced: plain.filter((c) => !onList.has(c.id)).map((c) => c.id),
    women,
    youth,
    womenRequired: need.women,
    youthRequired: need.youth,
    womenMet: women >= need.women,
    youthMet: youth >= need.youth,
    womenShort: Math.max(0, need.women - women),
    youthShort: Math.max(0, need.youth - youth),
  };
}
