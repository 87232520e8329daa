import type { Kysely } from 'kysely';
import type { Database } from '@primaries/db';

export interface SmallElection {
  electionId: number;
  regionIds: number[];
  districtIds: number[];
  /** contest ids: national, then region contests, then district contests. */
  contests: { national: number; region: number[]; district: number[] };
  candidates: Record<number, number[]>;
}

/**
 * A small, fully-formed election for tests: 2 regions with 2 districts each, the national
 * contest, one per region and one per district, 4 candidates each (2 women, 1 under 35).
 * Open from an hour ago for `openDays` days unless times are given.
 */
export async function createSmallElection(
  db: Kysely<Database>,
  opts: { opensAt?: Date; closesAt?: Date; freezeDate?: string; maxChoices?: number } = {},
): Promise<SmallElection> {
  const now = Date.now();
  const opensAt = opts.opensAt ?? new Date(now - 3600_000);
  const closesAt = opts.closesAt ?? new Date(now + 3 * 86400_000);
  const election = await db
    .insertInto('elections')
    .values({
      slug: `test-${now}-${Math.random().toString(36).slice(2, 8)}`,
      name: 'Test primaries',
      name_kk: 'Сынақ праймериз',
      opens_at: opensAt,
      closes_at: closesAt,
      freeze_date: opts.freezeDate ?? '2026-09-11',
      election_day: closesAt.toISOString().slice(0, 10),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const regionIds: number[] = [];
  const districtIds: number[] = [];
  const contests = { national: 0, region: [] as number[], district: [] as number[] };
  const candidates: Record<number, number[]> = {};
  const maxChoices = opts.maxChoices ?? 2;

  const addContest = async (level: 'national' | 'region' | 'district', name: string, regionId: number | null, districtId: number | null) => {
    const c = await db
      .insertInto('contests')
      .values({ election_id: election.id, level, name, region_id: regionId, district_id: districtId, seats: 2, max_choices: maxChoices })
      .returning('id')
      .executeTakeFirstOrThrow();
    const people = [
      { full_name: `${name} A`, gender: 'F' as const, birth_date: '1995-05-01' },
      { full_name: `${name} B`, gender: 'M' as const, birth_date: '1970-01-01' },
      { full_name: `${name} C`, gender: 'F' as const, birth_date: '1980-02-02' },
      { full_name: `${name} D`, gender: 'M' as const, birth_date: '1965-03-03' },
    ];
    const rows = await db
      .insertInto('candidates')
      .values(people.map((p, i) => ({ ...p, contest_id: c.id, ballot_order: i + 1 })))
      .returning('id')
      .execute();
    candidates[c.id] = rows.map((r) => r.id);
    return c.id;
  };

  contests.national = await addContest('national', 'National list', null, null);
  for (let r = 1; r <= 2; r++) {
    const region = await db.insertInto('regions').values({ code: `R${r}-${election.id}`, name: `Region ${r}`, name_kk: null }).returning('id').executeTakeFirstOrThrow();
    regionIds.push(region.id);
    contests.region.push(await addContest('region', `Region ${r} council`, region.id, null));
    for (let d = 1; d <= 2; d++) {
      const district = await db
        .insertInto('districts')
        .values({ region_id: region.id, code: `R${r}D${d}-${election.id}`, name: `District ${r}.${d}`, name_kk: null, kind: d === 1 ? 'city' : 'district' })
        .returning('id')
        .executeTakeFirstOrThrow();
      districtIds.push(district.id);
      contests.district.push(await addContest('district', `District ${r}.${d} council`, region.id, district.id));
    }
  }
  return { electionId: election.id, regionIds, districtIds, contests, candidates };
}
