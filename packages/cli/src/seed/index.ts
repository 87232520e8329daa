import { mkdir, rename, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import pg from 'pg';
import { KZ_MOBILE_CODES, MEMBER_CSV_COLUMNS, makeIin } from '@primaries/domain';
import { ensureDatabase, migrate } from '../commands/db';
import { abortCopy, copyCsvInto, endStream, writeChunk } from '../import/copy';
import { REGIONS, districtPlaces, type DistrictPlace } from './geography';
import { addDays, createRng, intBetween, memberAgeRange, occupation, person, pick, pickWeighted, type Rng } from './people';

export interface SeedOptions {
  databaseUrl: string;
  /** Members in the register (default 50,000). */
  members?: number;
  /** Length of the voting window in days (default 3). */
  days?: number;
  /** PRNG seed: the same seed gives the same people, IINs and phones (default 2020). */
  seed?: number;
  /** Where the register CSV goes (default <repo>/.data/members.csv). */
  csvPath?: string;
  /** Show a progress bar (only ever on a TTY). */
  progress?: boolean;
  /** Drop and recreate the schema first, even if it holds data. */
  reset?: boolean;
}

export interface SeedResult {
  electionId: number;
  members: number;
  contests: number;
  candidates: number;
  csvPath: string;
  ms: number;
}

/** Refusals a caller can tell apart from failures (non-empty database, production reset). */
export class SeedRefusedError extends Error {
  override name = 'SeedRefusedError';
}

export const DEFAULT_CSV_PATH = path.resolve(__dirname, '../../../../.data/members.csv');
const CHUNK = 10_000;
// Members admitted on or after the freeze date may not vote (2020: ~3% joined after 1 Aug).
// The demo's freeze is a window of FREEZE_DAYS (nobody is admitted inside it; the member
// import refuses such dates) ending before today, so the late members are admitted after it.
const FREEZE_DAYS_BEFORE_OPEN = 20;
const FREEZE_DAYS = 10;
const SHARE_ADMITTED_AFTER_FREEZE = 0.03;
// Tables whose rows mean "this database already holds an election or a register".
const CONTENT_TABLES = ['elections', 'regions', 'districts', 'members', 'audit_events'] as const;

/** True when the database has no schema yet or none of the domain tables holds a row. */
export async function isDatabaseEmpty(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'primaries-seed' });
  try {
    await client.connect();
  } catch (err) {
    // No such database yet: empty by definition (3D000 = invalid_catalog_name).
    if ((err as { code?: string }).code === '3D000') return true;
    throw err;
  }
  try {
    const existing = await client.query<{ name: string }>(
      `select table_name as name from information_schema.tables where table_schema = current_schema() and table_name = any($1)`,
      [CONTENT_TABLES],
    );
    for (const { name } of existing.rows) {
      const r = await client.query(`select 1 from ${name} limit 1`);
      if (r.rowCount) return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Empties the database by dropping and recreating the public schema, then migrating.
 * audit_events refuses DELETE and TRUNCATE by trigger, so "emptying the tables" is not
 * possible by design; a demo reset throws the whole schema away instead. Refused in production.
 */
async function resetDatabase(databaseUrl: string): Promise<void> {
  if (process.env.NODE_ENV === 'production') throw new SeedRefusedError('refusing to reset a database with NODE_ENV=production');
  await ensureDatabase(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'primaries-seed' });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('drop schema if exists public cascade');
    await client.query('create schema public');
    await client.query('grant usage on schema public to public');
    await client.query('commit');
  } finally {
    await client.end();
  }
  await migrate(databaseUrl);
}

interface ContestPlan {
  level: 'national' | 'region' | 'district';
  regionCode: string | null;
  districtCode: string | null;
  name: string;
  nameKk: string;
  seats: number;
}

/** Councils: the national list, one per region, one per city/district; about 4 candidates a seat, ~10,000 in all. */
function planContests(places: DistrictPlace[]): ContestPlan[] {
  const plans: ContestPlan[] = [
    { level: 'national', regionCode: null, districtCode: null, name: 'Республиканский партийный список (Мажилис)', nameKk: 'Республикалық партиялық тізім (Мәжіліс)', seats: 40 },
  ];
  for (const r of REGIONS) {
    plans.push({
      level: 'region',
      regionCode: r.code,
      districtCode: null,
      name: `${r.ru} — ${r.republicanCity ? 'городской' : 'областной'} маслихат`,
      nameKk: `${r.kk} — ${r.republicanCity ? 'қалалық' : 'облыстық'} мәслихат`,
      seats: r.republicanCity ? 31 : 25,
    });
  }
  for (const d of places) {
    const city = d.kind === 'city';
    plans.push({
      level: 'district',
      regionCode: d.regionCode,
      districtCode: d.code,
      name: `${d.ru} — ${city ? 'городской' : 'районный'} маслихат`,
      nameKk: `${d.kk} — ${city ? 'қалалық' : 'аудандық'} мәслихат`,
      seats: city ? (d.major ? 19 : 11) : d.major ? 11 : 8,
    });
  }
  return plans;
}

const SETTLEMENTS = ['Бирлик', 'Акжар', 'Каракемер', 'Жанатурмыс', 'Талапты', 'Кызылту', 'Коктобе', 'Сарыбулак', 'Караой', 'Жанажол', 'Шалгай', 'Акколь'];

function csvRows(rows: unknown[][]): string {
  return stringify(rows);
}

function progressBar(enabled: boolean): SingleBar | null {
  if (!enabled || !process.stderr.isTTY) return null;
  return new SingleBar(
    { format: 'seed {stage} [{bar}] {percentage}% | {value}/{total}', stream: process.stderr, hideCursor: true, fps: 5 },
    Presets.shades_classic,
  );
}

/**
 * Writes a deterministic demo election (17 regions, ~200 districts, 1 + 17 + ~200 contests,
 * ~10,000 candidates, `members` members, a few polling stations) with COPY in one
 * transaction, and the register to `csvPath` in the format `members import` reads.
 * Refuses a database that already holds data unless `reset` is set.
 */
export async function seedDemo(opts: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const memberCount = opts.members ?? 50_000;
  const days = opts.days ?? 3;
  const seed = opts.seed ?? 2020;
  const csvPath = path.resolve(opts.csvPath ?? DEFAULT_CSV_PATH);
  if (!Number.isInteger(memberCount) || memberCount < 1 || memberCount > 5_000_000) throw new SeedRefusedError('--members must be an integer from 1 to 5,000,000');
  if (!(days > 0 && days <= 60)) throw new SeedRefusedError('--days must be more than 0 and at most 60');
  if (!Number.isInteger(seed)) throw new SeedRefusedError('--seed must be an integer');

  if (opts.reset) await resetDatabase(opts.databaseUrl);
  else {
    await migrate(opts.databaseUrl);
    if (!(await isDatabaseEmpty(opts.databaseUrl))) {
      throw new SeedRefusedError('the database already holds an election or members; run `pnpm seed --reset` to replace everything');
    }
  }

  const rng = createRng(seed);
  const places = districtPlaces();
  const contests = planContests(places);
  const now = new Date();
  const opensAt = new Date(now.getTime() - 60_000);
  const closesAt = new Date(opensAt.getTime() + days * 86400_000);
  const today = now.toISOString().slice(0, 10);
  const freezeDate = addDays(today, -FREEZE_DAYS_BEFORE_OPEN);
  const freezeEnd = addDays(freezeDate, FREEZE_DAYS - 1);
  const electionDay = closesAt.toISOString().slice(0, 10);

  const bar = progressBar(opts.progress ?? false);
  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'primaries-seed' });
  // A broken connection surfaces as the failing query's error; without a listener it would crash the process.
  client.on('error', () => {});
  await client.connect();
  await mkdir(path.dirname(csvPath), { recursive: true });
  const tmpCsv = `${csvPath}.${process.pid}.tmp`;
  const csv = createWriteStream(tmpCsv, { encoding: 'utf8' });
  let committed = false;
  let openCopy: Writable | null = null;
  try {
    await client.query('begin');
    const election = await client.query<{ id: number }>(
      `insert into elections (slug, name, name_kk, opens_at, closes_at, freeze_date, freeze_end, election_day, results_refresh_seconds)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 1800) returning id`,
      [`demo-${seed}`, 'Партийные праймериз (демо)', 'Партиялық праймериз (демо)', opensAt, closesAt, freezeDate, freezeEnd, electionDay],
    );
    const electionId = election.rows[0]!.id;

    const regionRows = await client.query<{ id: number; code: string }>(
      `insert into regions (code, name, name_kk) select * from unnest($1::text[], $2::text[], $3::text[]) returning id, code`,
      [REGIONS.map((r) => r.code), REGIONS.map((r) => r.ru), REGIONS.map((r) => r.kk)],
    );
    const regionId = new Map(regionRows.rows.map((r) => [r.code, r.id]));
    const districtRows = await client.query<{ id: number; code: string }>(
      `insert into districts (region_id, code, name, name_kk, kind)
       select * from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) returning id, code`,
      [places.map((d) => regionId.get(d.regionCode)), places.map((d) => d.code), places.map((d) => d.ru), places.map((d) => d.kk), places.map((d) => d.kind)],
    );
    const districtId = new Map(districtRows.rows.map((d) => [d.code, d.id]));

    const contestRows = await client.query<{ id: number }>(
      `insert into contests (election_id, level, region_id, district_id, name, name_kk, seats, max_choices)
       select $1, level, region_id, district_id, name, name_kk, seats, seats
       from unnest($2::text[], $3::int[], $4::int[], $5::text[], $6::text[], $7::int[])
         with ordinality as c(level, region_id, district_id, name, name_kk, seats, n)
       order by n returning id`,
      [
        electionId,
        contests.map((c) => c.level),
        contests.map((c) => (c.regionCode ? regionId.get(c.regionCode) : null)),
        contests.map((c) => (c.districtCode ? districtId.get(c.districtCode) : null)),
        contests.map((c) => c.name),
        contests.map((c) => c.nameKk),
        contests.map((c) => c.seats),
      ],
    );

    // Candidates: ~4 a seat, ~37% women, ~29% under 35 on election day; ballot order alphabetical.
    const expectedCandidates = contests.reduce((s, c) => s + c.seats * 4, 0);
    bar?.start(expectedCandidates + memberCount, 0, { stage: 'candidates' });
    const candidateRows: unknown[][] = [];
    contests.forEach((c, i) => {
      const n = Math.max(c.seats + 1, Math.round(c.seats * (3.6 + rng() * 0.8)));
      const people = Array.from({ length: n }, () => {
        const young = rng() < 0.29;
        const p = person(rng, rng() < 0.37 ? 'F' : 'M', electionDay, young ? 21 : 35, young ? 35 : 70);
        return { ...p, occupation: occupation(rng) };
      }).sort((a, b) => a.full_name.localeCompare(b.full_name, 'ru'));
      people.forEach((p, k) => candidateRows.push([contestRows.rows[i]!.id, p.full_name, p.gender, p.birth_date, p.occupation, k + 1]));
    });
    const candidateCopy = (openCopy = copyCsvInto(client, 'candidates (contest_id, full_name, gender, birth_date, occupation, ballot_order)'));
    await writeChunk(candidateCopy, csvRows(candidateRows));
    await endStream(candidateCopy);
    openCopy = null;
    bar?.update(expectedCandidates, { stage: 'members' });

    // Polling stations for paper voting: rural settlements, the last six hours of the window.
    const rural = places.filter((p) => p.kind === 'district' && !p.major);
    const stations = SETTLEMENTS.map((s, i) => {
      const d = pick(rng, rural);
      return [electionId, districtId.get(d.code), `PS-${String(i + 1).padStart(3, '0')}`, `с. ${s}, ${d.ru}`, `ул. Абая, ${intBetween(rng, 1, 60)}, дом культуры`];
    });
    await client.query(
      `insert into polling_stations (election_id, district_id, code, settlement, address, opens_at, closes_at)
       select e, d, c, s, a, $6::timestamptz - interval '6 hours', $6::timestamptz
       from unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[]) as t(e, d, c, s, a)`,
      [stations.map((s) => s[0]), stations.map((s) => s[1]), stations.map((s) => s[2]), stations.map((s) => s[3]), stations.map((s) => s[4]), closesAt],
    );

    // Members, written to the database and the CSV in the same pass.
    const cumulative: number[] = [];
    const regionPopulation = new Map(REGIONS.map((r) => [r.code, r.population]));
    let total = 0;
    for (const d of places) cumulative.push((total += d.share * regionPopulation.get(d.regionCode)!));
    const memberCopy = (openCopy = copyCsvInto(client, 'members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at, status)'));
    await writeChunk(csv, csvRows([[...MEMBER_CSV_COLUMNS]]));
    const iins = new Set<string>();
    const phones = new Set<string>();
    for (let start = 0; start < memberCount; start += CHUNK) {
      const dbRows: unknown[][] = [];
      const fileRows: unknown[][] = [];
      for (let i = start; i < Math.min(memberCount, start + CHUNK); i++) {
        const m = member(rng, places, cumulative, today, { start: freezeDate, end: freezeEnd }, iins, phones);
        fileRows.push([m.iin, m.phone, m.full_name, m.gender, m.birth_date, m.place.regionCode, m.place.code, m.primary_org, m.admitted_at, m.status]);
        dbRows.push([m.iin, m.phone, m.full_name, m.gender, m.birth_date, regionId.get(m.place.regionCode), districtId.get(m.place.code), m.primary_org, m.admitted_at, m.status]);
      }
      await Promise.all([writeChunk(memberCopy, csvRows(dbRows)), writeChunk(csv, csvRows(fileRows))]);
      bar?.increment(dbRows.length);
    }
    await Promise.all([endStream(memberCopy), endStream(csv)]);
    openCopy = null;
    bar?.update({ stage: 'commit' });
    await client.query('commit');
    committed = true;
    await rename(tmpCsv, csvPath);
    await client.query('analyze');
    bar?.stop();
    return { electionId, members: memberCount, contests: contests.length, candidates: candidateRows.length, csvPath, ms: Date.now() - started };
  } finally {
    bar?.stop();
    if (!committed) {
      // A COPY still open must be failed first (CopyFail), or the connection stays in copy mode.
      if (openCopy) await abortCopy(openCopy);
      await client.query('rollback').catch(() => {});
      csv.destroy();
      await rm(tmpCsv, { force: true });
    }
    await client.end();
  }
}

interface SeedMember {
  iin: string;
  phone: string;
  full_name: string;
  gender: 'F' | 'M';
  birth_date: string;
  place: DistrictPlace;
  primary_org: string;
  admitted_at: string;
  status: 'active' | 'expelled' | 'blocked' | 'suspended';
}

function member(rng: Rng, places: DistrictPlace[], cumulative: number[], today: string, freeze: { start: string; end: string }, iins: Set<string>, phones: Set<string>): SeedMember {
  const freezeDate = freeze.start;
  const place = places[pickWeighted(rng, cumulative)]!;
  const [minAge, maxAge] = memberAgeRange(rng);
  const p = person(rng, rng() < 0.5 ? 'F' : 'M', today, minAge, maxAge);
  let iin: string | null = null;
  // A serial that gives no check digit, or an IIN already issued, is drawn again.
  while (iin === null || iins.has(iin)) iin = makeIin(p.birth_date, p.gender, intBetween(rng, 0, 9999));
  iins.add(iin);
  let phone = '';
  while (phone === '' || phones.has(phone)) phone = `+7${pick(rng, KZ_MOBILE_CODES)}${String(intBetween(rng, 0, 9_999_999)).padStart(7, '0')}`;
  phones.add(phone);
  // The party was founded in 1999; members join at 18 or later.
  const adult = addDays(p.birth_date, Math.ceil(18 * 365.25));
  const earliest = adult > '1999-03-01' ? adult : '1999-03-01';
  let admitted: string;
  if (rng() < SHARE_ADMITTED_AFTER_FREEZE || earliest >= freezeDate) {
    // After the freeze window: too late to vote, and never inside the window.
    const afterWindow = addDays(freeze.end, 1);
    const from = earliest > afterWindow ? earliest : afterWindow;
    const span = Math.max(0, Math.round((Date.parse(today) - Date.parse(from)) / 86400_000));
    admitted = addDays(from, intBetween(rng, 0, span));
  } else {
    const span = Math.round((Date.parse(freezeDate) - Date.parse(earliest)) / 86400_000) - 1;
    admitted = addDays(earliest, intBetween(rng, 0, Math.max(0, span)));
  }
  const s = rng();
  const status = s < 0.97 ? 'active' : s < 0.988 ? 'expelled' : s < 0.995 ? 'blocked' : 'suspended';
  return {
    iin,
    phone,
    full_name: p.full_name,
    gender: p.gender,
    birth_date: p.birth_date,
    place,
    primary_org: `ППО № ${intBetween(rng, 1, 40)}, ${place.ru}`,
    admitted_at: admitted,
    status,
  };
}
