import type { Kysely } from 'kysely';
import { type Database, type ElectionBallotData, findMemberPlaces, loadElectionBallotData } from '@primaries/db';
import type { BallotContest } from '@primaries/domain';
import type { Session } from '@primaries/redis-protocols';
import { dependencyFailure } from '@primaries/service-kit';

/**
 * How long contest and candidate lists are served from memory. A removed candidate, a
 * manual close or an extension shows on every instance within this bound plus one load.
 */
export const ELECTION_CACHE_TTL_MS = 5_000;
/** Member places (region, district, status) kept per instance; they change rarely. */
const MEMBER_CACHE_TTL_MS = 30_000;
const MEMBER_CACHE_MAX = 200_000;

export interface ContestView {
  id: number;
  name: string;
  nameKk: string | null;
  level: 'national' | 'region' | 'district';
  regionId: number | null;
  districtId: number | null;
  maxChoices: number;
  /** Active candidates in ballot order. */
  active: ElectionBallotData['candidates'];
  rules: BallotContest;
}

export interface ElectionView {
  election: ElectionBallotData['election'];
  regions: ElectionBallotData['regions'];
  contests: Map<number, ContestView>;
  national: ContestView[];
  byRegion: Map<number, ContestView[]>;
  byDistrict: Map<number, ContestView[]>;
}

export interface MemberPlace {
  regionId: number;
  districtId: number;
  status: string;
  /** Elections in which the member is on a polling station's list: they vote on paper there (issue #15). */
  paperElectionIds?: readonly number[];
}

/** Whether the member votes on paper in this election (on a station's list), not online. */
export function votesOnPaper(place: MemberPlace, electionId: number): boolean {
  return place.paperElectionIds?.includes(electionId) ?? false;
}

function buildView(data: ElectionBallotData): ElectionView {
  const contests = new Map<number, ContestView>();
  for (const c of data.contests) {
    contests.set(c.id, {
      id: c.id,
      name: c.name,
      nameKk: c.nameKk,
      level: c.level,
      regionId: c.regionId,
      districtId: c.districtId,
      maxChoices: c.maxChoices,
      active: [],
      rules: { id: c.id, maxChoices: c.maxChoices, candidates: new Map() },
    });
  }
  for (const cand of data.candidates) {
    const c = contests.get(cand.contestId);
    if (!c) continue;
    (c.rules.candidates as Map<number, 'active' | 'removed'>).set(cand.id, cand.status);
    if (cand.status === 'active') c.active.push(cand);
  }
  const national: ContestView[] = [];
  const byRegion = new Map<number, ContestView[]>();
  const byDistrict = new Map<number, ContestView[]>();
  for (const c of contests.values()) {
    if (c.level === 'national') national.push(c);
    else if (c.level === 'region') byRegion.set(c.regionId!, [...(byRegion.get(c.regionId!) ?? []), c]);
    else byDistrict.set(c.districtId!, [...(byDistrict.get(c.districtId!) ?? []), c]);
  }
  return { election: data.election, regions: data.regions, contests, national, byRegion, byDistrict };
}

/** The voter's contests in ballot order: national, then region, then district. */
export function voterContests(view: ElectionView, place: MemberPlace): ContestView[] {
  return [...view.national, ...(view.byRegion.get(place.regionId) ?? []), ...(view.byDistrict.get(place.districtId) ?? [])];
}

/**
 * In-memory read-through caches for the ballot: one load per election per TTL, shared by
 * concurrent requests (single flight), and a bounded LRU of member places. Both survive a
 * Postgres outage: while Postgres is away the last good election view and the places
 * already loaded are served (a vote needs only Redis to be accepted), and the election is
 * asked for again once per TTL.
 */
export class ElectionCache {
  private elections = new Map<number, { at: number; view: Promise<ElectionView | null> }>();
  private lastGood = new Map<number, ElectionView | null>();
  private members = new Map<string, { at: number; place: MemberPlace | null }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = ELECTION_CACHE_TTL_MS,
  ) {}

  async election(electionId: number): Promise<ElectionView | null> {
    const hit = this.elections.get(electionId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.view;
    const view = this.loadElection(electionId);
    this.elections.set(electionId, { at: Date.now(), view });
    // A failed load must not stay cached.
    view.catch(() => this.elections.delete(electionId));
    return view;
  }

  /** Drops the election's cached view: the next request loads it again (an organizer changed it). */
  forget(electionId: number): void {
    this.elections.delete(electionId);
  }

  private async loadElection(electionId: number): Promise<ElectionView | null> {
    try {
      const data = await loadElectionBallotData(this.db, electionId);
      const view = data ? buildView(data) : null;
      this.lastGood.set(electionId, view);
      return view;
    } catch (err) {
      // Postgres away: the last good view stands until it answers again.
      const stale = this.lastGood.get(electionId);
      if (stale === undefined || !dependencyFailure(err)) throw err;
      return stale;
    }
  }

  /**
   * A voter's place for the vote path: from the cache (or Postgres), and while Postgres is
   * away and this instance never loaded the member, from the session (the place is stored
   * in the token at sign-in, when the member was active).
   */
  async voterPlace(session: Session): Promise<MemberPlace | null> {
    try {
      return await this.member(String(session.memberId));
    } catch (err) {
      if (!session.place || dependencyFailure(err) !== 'postgres') throw err;
      return { ...session.place, status: 'active' };
    }
  }

  /** A member's place: from memory, else loaded with every other miss of the same tick in one query. */
  member(memberId: string): Promise<MemberPlace | null> {
    const hit = this.members.get(memberId);
    if (hit && Date.now() - hit.at < MEMBER_CACHE_TTL_MS) return Promise.resolve(hit.place);
    let waiting = this.pendingMembers.get(memberId);
    if (!waiting) {
      waiting = [];
      this.pendingMembers.set(memberId, waiting);
    }
    const list = waiting;
    this.memberFlush ??= setImmediate(() => void this.loadMembers());
    return new Promise((resolve, reject) => list.push({ resolve, reject }));
  }

  private pendingMembers = new Map<string, Array<{ resolve: (p: MemberPlace | null) => void; reject: (e: unknown) => void }>>();
  private memberFlush: NodeJS.Immediate | null = null;

  private async loadMembers(): Promise<void> {
    this.memberFlush = null;
    const pending = this.pendingMembers;
    this.pendingMembers = new Map();
    try {
      const places = await findMemberPlaces(this.db, [...pending.keys()]);
      const now = Date.now();
      for (const [id, waiters] of pending) {
        const place = places.get(id) ?? null;
        this.members.delete(id);
        this.members.set(id, { at: now, place });
        for (const w of waiters) w.resolve(place);
      }
      // Bounded: drop the least recently loaded.
      for (const oldest of this.members.keys()) {
        if (this.members.size <= MEMBER_CACHE_MAX) break;
        this.members.delete(oldest);
      }
    } catch (err) {
      // Postgres away: a place loaded before (even past its TTL) still answers.
      const away = dependencyFailure(err) !== null;
      for (const [id, waiters] of pending) {
        const old = away ? this.members.get(id) : undefined;
        for (const w of waiters) {
          if (old) w.resolve(old.place);
          else w.reject(err);
        }
      }
    }
  }
}

const caches = new WeakMap<object, ElectionCache>();

/** One cache per database handle, shared by the ballot and votes routes of an app. */
export function electionCacheFor(db: Kysely<Database>): ElectionCache {
  let c = caches.get(db);
  if (!c) {
    c = new ElectionCache(db);
    caches.set(db, c);
  }
  return c;
}
