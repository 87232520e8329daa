import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/** Regions and districts by code, and the election's contests by place key (see placeKey in @primaries/domain). */
export interface SetupPlaces {
  regions: Map<string, number>;
  districts: Map<string, { id: number; regionCode: string }>;
  /** `national`, `R:<region>`, `D:<region>/<district>` → contest id. */
  contests: Map<string, number>;
}

/** The election with this slug; without one, the election that opens last (the current one, as the tally picks it). */
export async function findElectionBySlug(db: Db, slug?: string) {
  let q = db.selectFrom('elections').selectAll().orderBy('opens_at', 'desc').orderBy('id', 'desc').limit(1);
  if (slug !== undefined) q = q.where('slug', '=', slug);
  return q.executeTakeFirst();
}

/** The codes already in the database, and the election's contests by place. */
export async function loadSetupPlaces(db: Db, electionId: number): Promise<SetupPlaces> {
  const [regions, districts, contests] = await Promise.all([
    db.selectFrom('regions').select(['id', 'code']).execute(),
    db.selectFrom('districts').innerJoin('regions', 'regions.id', 'districts.region_id').select(['districts.id', 'districts.code', 'regions.code as region_code']).execute(),
    db
      .selectFrom('contests')
      .leftJoin('regions', 'regions.id', 'contests.region_id')
      .leftJoin('districts', 'districts.id', 'contests.district_id')
      .select(['contests.id', 'regions.code as region_code', 'districts.code as district_code'])
      .where('contests.election_id', '=', electionId)
      .execute(),
  ]);
  const key = (r: string | null, d: string | null) => (d ? `D:${r}/${d}` : r ? `R:${r}` : 'national');
  return {
    regions: new Map(regions.map((r) => [r.code, r.id])),
    districts: new Map(districts.map((d) => [d.code, { id: d.id, regionCode: d.region_code }])),
    contests: new Map(contests.map((c) => [key(c.region_code, c.district_code), c.id])),
  };
}

/**
 * Locks the election row for the rest of the transaction (one setup change at a time, and
 * none racing the opening) and says whether its window has opened by the database's clock.
 */
export async function lockElectionForSetup(trx: Transaction<Database>, electionId: number): Promise<{ opened: boolean }> {
  const row = await trx
    .selectFrom('elections')
    .select(sql<boolean>`opened_at is not null or opens_at <= now()`.as('opened'))
    .where('id', '=', electionId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { opened: row.opened };
}

export interface SetupData {
  regions: Array<{ code: string; name: string; nameKk: string | null }>;
  districts: Array<{ code: string; region: string; name: string; nameKk: string | null; kind: 'city' | 'district' }>;
  contests: Array<{ region: string | null; district: string | null; level: 'national' | 'region' | 'district'; name: string; nameKk: string | null; seats: number; maxMarks: number }>;
  /** Grouped by contest place key; each group replaces that contest's candidates. */
  candidates: Map<string, Array<{ ballotOrder: number; fullName: string; fullNameKk: string | null; gender: 'F' | 'M'; birthDate: string; iin: string | null; occupation: string | null }>>;
}

export interface SetupCounts {
  regions: { inserted: number; updated: number };
  districts: { inserted: number; updated: number };
  contests: { inserted: number; updated: number };
  candidates: { inserted: number; updated: number; deleted: number };
}

async function upsertRegions(trx: Transaction<Database>, rows: SetupData['regions']) {
  if (!rows.length) return { inserted: 0, updated: 0 };
  const out = await trx
    .insertInto('regions')
    .values(rows.map((r) => ({ code: r.code, name: r.name, name_kk: r.nameKk })))
    .onConflict((oc) => oc.column('code').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), name_kk: eb.ref('excluded.name_kk') })))
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
  return { inserted: out.filter((r) => r.inserted).length, updated: out.filter((r) => !r.inserted).length };
}

async function upsertDistricts(trx: Transaction<Database>, rows: SetupData['districts'], regionIds: Map<string, number>) {
  if (!rows.length) return { inserted: 0, updated: 0 };
  const out = await trx
    .insertInto('districts')
    .values(rows.map((d) => ({ code: d.code, region_id: regionIds.get(d.region)!, name: d.name, name_kk: d.nameKk, kind: d.kind })))
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({ name: eb.ref('excluded.name'), name_kk: eb.ref('excluded.name_kk'), kind: eb.ref('excluded.kind') })),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .execute();
  return { inserted: out.filter((r) => r.inserted).length, updated: out.filter((r) => !r.inserted).length };
}

async function upsertContests(trx: Transaction<Database>, electionId: number, rows: SetupData['contests'], places: SetupPlaces) {
  const counts = { inserted: 0, updated: 0 };
  for (const c of rows) {
    const key = c.district ? `D:${c.region}/${c.district}` : c.region ? `R:${c.region}` : 'national';
    const values = { name: c.name, name_kk: c.nameKk, seats: c.seats, max_choices: c.maxMarks };
    const id = places.contests.get(key);
    if (id !== undefined) {
      await trx.updateTable('contests').set(values).where('id', '=', id).execute();
      counts.updated++;
    } else {
      const region_id = c.region ? places.regions.get(c.region)! : null;
      const district_id = c.district ? places.districts.get(c.district)!.id : null;
      const row = await trx.insertInto('contests').values({ election_id: electionId, level: c.level, region_id, district_id, ...values }).returning('id').executeTakeFirstOrThrow();
      places.contests.set(key, row.id);
      counts.inserted++;
    }
  }
  return counts;
}

/** Replaces each listed contest's candidates: same ballot_order → updated, new → inserted, the rest deleted. */
async function replaceCandidates(trx: Transaction<Database>, groups: SetupData['candidates'], places: SetupPlaces) {
  const counts = { inserted: 0, updated: 0, deleted: 0 };
  const iins = [...groups.values()].flatMap((g) => g.flatMap((c) => (c.iin ? [c.iin] : [])));
  const members = iins.length ? await trx.selectFrom('members').select(['id', 'iin']).where('iin', 'in', iins).execute() : [];
  const memberId = new Map(members.map((m) => [m.iin, m.id]));
  for (const [key, rows] of groups) {
    const contestId = places.contests.get(key)!;
    const existing = await trx.selectFrom('candidates').select(['id', 'ballot_order']).where('contest_id', '=', contestId).execute();
    const byOrder = new Map(existing.map((e) => [e.ballot_order, e.id]));
    const fresh = [];
    for (const c of rows) {
      const values = {
        full_name: c.fullName, full_name_kk: c.fullNameKk, gender: c.gender, birth_date: c.birthDate,
        occupation: c.occupation, member_id: c.iin ? (memberId.get(c.iin) ?? null) : null,
      };
      const id = byOrder.get(c.ballotOrder);
      if (id === undefined) {
        fresh.push({ contest_id: contestId, ballot_order: c.ballotOrder, ...values });
        continue;
      }
      byOrder.delete(c.ballotOrder);
      await trx.updateTable('candidates').set({ ...values, status: 'active', removed_at: null, removal_reason: null }).where('id', '=', id).execute();
      counts.updated++;
    }
    for (let i = 0; i < fresh.length; i += 1000) await trx.insertInto('candidates').values(fresh.slice(i, i + 1000)).execute();
    counts.inserted += fresh.length;
    if (byOrder.size) {
      const gone = await trx.deleteFrom('candidates').where('id', 'in', [...byOrder.values()]).executeTakeFirst();
      counts.deleted += Number(gone.numDeletedRows);
    }
  }
  return counts;
}

/** Writes a validated setup into the election, inside the caller's transaction. */
export async function applyElectionSetup(trx: Transaction<Database>, electionId: number, data: SetupData): Promise<SetupCounts> {
  const regions = await upsertRegions(trx, data.regions);
  const places = await loadSetupPlaces(trx, electionId);
  const districts = await upsertDistricts(trx, data.districts, places.regions);
  const after = await loadSetupPlaces(trx, electionId);
  const contests = await upsertContests(trx, electionId, data.contests, after);
  const candidates = await replaceCandidates(trx, data.candidates, after);
  return { regions, districts, contests, candidates };
}

/** What the pre-open check looks at: the election's window and its contests with active candidate counts. */
export async function preOpenData(db: Db, electionId: number) {
  const election = await db.selectFrom('elections').select(['opens_at', 'closes_at', 'opened_at']).where('id', '=', electionId).executeTakeFirstOrThrow();
  const contests = await db
    .selectFrom('contests')
    .leftJoin('candidates', (j) => j.onRef('candidates.contest_id', '=', 'contests.id').on('candidates.status', '=', 'active'))
    .select(['contests.id', 'contests.name', 'contests.seats', 'contests.max_choices', (eb) => eb.fn.count<string>('candidates.id').as('n')])
    .where('contests.election_id', '=', electionId)
    .groupBy('contests.id')
    .orderBy('contests.id')
    .execute();
  return {
    election: { opensAt: election.opens_at, closesAt: election.closes_at, openedAt: election.opened_at },
    contests: contests.map((c) => ({ id: c.id, name: c.name, seats: c.seats, maxMarks: c.max_choices, candidates: Number(c.n) })),
  };
}
