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
 * none racing the opening or a lifecycle step); answers its times and the database's clock,
 * for electionPhase in @primaries/domain (the setup may change in `draft` and `scheduled`).
 */
export async function lockElectionForSetup(trx: Transaction<Database>, electionId: number) {
  return trx
    .selectFrom('elections')
    .select(['opens_at', 'closes_at', 'opened_at', 'closed_at', 'scheduled_at', 'results_published_at', sql<Date>`now()`.as('now')])
    .where('id', '=', electionId)
    .forUpdate()
    .executeTakeFirstOrThrow();
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

type CandidateValues = {
  full_name: string; full_name_kk: string | null; gender: 'F' | 'M'; birth_date: string; occupation: string | null; member_id: string | null;
};

/** Updates candidates by id in one statement per 5,000 (a row set from JSON), making each active again. */
async function updateCandidates(trx: Transaction<Database>, rows: Array<CandidateValues & { id: number }>) {
  for (let i = 0; i < rows.length; i += 5000) {
    await sql`
      update candidates c set full_name = x.full_name, full_name_kk = x.full_name_kk, gender = x.gender, birth_date = x.birth_date,
        occupation = x.occupation, member_id = x.member_id, status = 'active', removed_at = null, removal_reason = null
      from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + 5000))}::jsonb)
        as x(id int, full_name text, full_name_kk text, gender char(1), birth_date date, occupation text, member_id bigint)
      where c.id = x.id`.execute(trx);
  }
}

/** Replaces each listed contest's candidates: same ballot_order → updated, new → inserted, the rest deleted. */
async function replaceCandidates(trx: Transaction<Database>, groups: SetupData['candidates'], places: SetupPlaces) {
  const iins = [...groups.values()].flatMap((g) => g.flatMap((c) => (c.iin ? [c.iin] : [])));
  // = any(array): one parameter however many candidates (an IN list would hit the 65,535-parameter limit).
  const members = iins.length ? await trx.selectFrom('members').select(['id', 'iin']).where(sql<boolean>`iin = any(${iins}::char(12)[])`).execute() : [];
  const memberId = new Map(members.map((m) => [m.iin, m.id]));
  const contestIds = [...groups.keys()].map((key) => places.contests.get(key)!);
  const existing = contestIds.length
    ? await trx.selectFrom('candidates').select(['id', 'contest_id', 'ballot_order']).where(sql<boolean>`contest_id = any(${contestIds}::int[])`).execute()
    : [];
  const byOrder = new Map(existing.map((e) => [`${e.contest_id}:${e.ballot_order}`, e.id]));
  const fresh = [];
  const updates = [];
  for (const [key, rows] of groups) {
    const contestId = places.contests.get(key)!;
    for (const c of rows) {
      const values: CandidateValues = {
        full_name: c.fullName, full_name_kk: c.fullNameKk, gender: c.gender, birth_date: c.birthDate,
        occupation: c.occupation, member_id: c.iin ? (memberId.get(c.iin) ?? null) : null,
      };
      const id = byOrder.get(`${contestId}:${c.ballotOrder}`);
      if (id === undefined) fresh.push({ contest_id: contestId, ballot_order: c.ballotOrder, ...values });
      else updates.push({ id, ...values });
      byOrder.delete(`${contestId}:${c.ballotOrder}`);
    }
  }
  await updateCandidates(trx, updates);
  for (let i = 0; i < fresh.length; i += 1000) await trx.insertInto('candidates').values(fresh.slice(i, i + 1000)).execute();
  const gone = byOrder.size ? await sql`delete from candidates where id = any(${[...byOrder.values()]}::int[])`.execute(trx) : null;
  return { inserted: fresh.length, updated: updates.length, deleted: Number(gone?.numAffectedRows ?? 0) };
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
