import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/** An election with everything its ballots show: contests and every candidate (removed ones too). */
export interface ElectionBallotData {
  election: {
    id: number;
    name: string;
    nameKk: string | null;
    /** YYYY-MM-DD: ages (the under-35 mark) are counted on this day. */
    electionDay: string;
    opensAt: Date;
    closesAt: Date;
    openedAt: Date | null;
    closedAt: Date | null;
    /** When an organizer scheduled it; null while a draft (whose window never opens, issue #13). */
    scheduledAt: Date | null;
  };
  contests: Array<{
    id: number;
    name: string;
    nameKk: string | null;
    level: 'national' | 'region' | 'district';
    regionId: number | null;
    districtId: number | null;
    seats: number;
    maxChoices: number;
  }>;
  /** In ballot order within each contest. */
  candidates: Array<{
    id: number;
    contestId: number;
    name: string;
    nameKk: string | null;
    /** The region of the member behind the candidacy, when the register knows them. */
    memberRegionId: number | null;
    gender: 'F' | 'M';
    birthDate: string;
    occupation: string | null;
    status: 'active' | 'removed';
  }>;
  /** Region names, for the candidates' and contests' regions. */
  regions: Map<number, { name: string; nameKk: string | null }>;
}

/** Loads one election's ballot data in four queries, or null when there is no such election. */
export async function loadElectionBallotData(db: Kysely<Database>, electionId: number): Promise<ElectionBallotData | null> {
  const e = await db
    .selectFrom('elections')
    .select(['id', 'name', 'name_kk', 'election_day', 'opens_at', 'closes_at', 'opened_at', 'closed_at', 'scheduled_at'])
    .where('id', '=', electionId)
    .executeTakeFirst();
  if (!e) return null;
  const contests = await db
    .selectFrom('contests')
    .select(['id', 'name', 'name_kk', 'level', 'region_id', 'district_id', 'seats', 'max_choices'])
    .where('election_id', '=', electionId)
    .orderBy('id')
    .execute();
  const candidates = await db
    .selectFrom('candidates')
    .innerJoin('contests', 'contests.id', 'candidates.contest_id')
    .leftJoin('members', 'members.id', 'candidates.member_id')
    .select([
      'candidates.id',
      'candidates.contest_id',
      'candidates.full_name',
      'candidates.full_name_kk',
      'members.region_id as member_region_id',
      'candidates.gender',
      'candidates.birth_date',
      'candidates.occupation',
      'candidates.status',
    ])
    .where('contests.election_id', '=', electionId)
    .orderBy('candidates.contest_id')
    .orderBy('candidates.ballot_order')
    .orderBy('candidates.id')
    .execute();
  const regions = await db.selectFrom('regions').select(['id', 'name', 'name_kk']).execute();
  return {
    election: { id: e.id, name: e.name, nameKk: e.name_kk, electionDay: e.election_day, opensAt: e.opens_at, closesAt: e.closes_at, openedAt: e.opened_at, closedAt: e.closed_at, scheduledAt: e.scheduled_at },
    contests: contests.map((c) => ({
      id: c.id,
      name: c.name,
      nameKk: c.name_kk,
      level: c.level,
      regionId: c.region_id,
      districtId: c.district_id,
      seats: c.seats,
      maxChoices: c.max_choices,
    })),
    candidates: candidates.map((c) => ({
      id: c.id,
      contestId: c.contest_id,
      name: c.full_name,
      nameKk: c.full_name_kk,
      memberRegionId: c.member_region_id,
      gender: c.gender,
      birthDate: c.birth_date,
      occupation: c.occupation,
      status: c.status,
    })),
    regions: new Map(regions.map((r) => [r.id, { name: r.name, nameKk: r.name_kk }])),
  };
}

/** Which of these contest ids exist (the worker's guard against votes for unknown contests). */
export async function existingContestIds(db: Kysely<Database>, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('contests').select('id').where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

/** Candidate ids of these contests, by contest (removed ones too: removal after a vote does not void it). */
export async function candidateIdsByContest(db: Kysely<Database>, contestIds: readonly number[]): Promise<Map<number, Set<number>>> {
  const out = new Map<number, Set<number>>();
  if (contestIds.length === 0) return out;
  const rows = await db.selectFrom('candidates').select(['id', 'contest_id']).where('contest_id', 'in', [...contestIds]).execute();
  for (const id of contestIds) out.set(id, new Set());
  for (const r of rows) out.get(r.contest_id)?.add(r.id);
  return out;
}

/** Places and statuses of many members in one query (the vote service batches lookups per tick). */
export async function findMemberPlaces(
  db: Kysely<Database>,
  memberIds: readonly string[],
): Promise<Map<string, { regionId: number; districtId: number; status: 'active' | 'expelled' | 'blocked' | 'suspended'; paperElectionIds: number[] }>> {
  const out = new Map<string, { regionId: number; districtId: number; status: 'active' | 'expelled' | 'blocked' | 'suspended'; paperElectionIds: number[] }>();
  if (memberIds.length === 0) return out;
  const rows = await db
    .selectFrom('members as m')
    .select(['m.id', 'm.region_id', 'm.district_id', 'm.status'])
    // Elections in which the member is on a polling station's list (issue #15): votes on paper there.
    .select((eb) => eb.fn.coalesce(sql<number[] | null>`(select array_agg(v.election_id) from paper_voters v where v.member_id = m.id)`, sql<number[]>`'{}'::int[]`).as('paper'))
    .where('m.id', 'in', [...memberIds])
    .execute();
  for (const m of rows) out.set(String(m.id), { regionId: m.region_id, districtId: m.district_id, status: m.status, paperElectionIds: m.paper });
  return out;
}
