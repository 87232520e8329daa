import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { MEMBER_CSV_COLUMNS, isValidIin, normalizePhone } from '@primaries/domain';
import { type TestDatabase, createTestDatabase } from '@primaries/testing';
import { REGIONS, districtPlaces } from '../src/seed/geography';
import { SeedRefusedError, isDatabaseEmpty, seedDemo } from '../src/seed';

describe('pnpm seed (seedDemo)', () => {
  let t: TestDatabase;
  let dir: string;
  const places = districtPlaces();

  beforeAll(async () => {
    t = await createTestDatabase('seed');
    dir = await mkdtemp(path.join(os.tmpdir(), 'primaries-seed-'));
  });
  afterAll(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the demo election: 17 regions, every district, 1 + 17 + districts contests, ~4 candidates a seat', async () => {
    expect(await isDatabaseEmpty(t.url)).toBe(true);
    const r = await seedDemo({ databaseUrl: t.url, members: 2000, seed: 7, csvPath: path.join(dir, 'a.csv') });
    expect(r).toMatchObject({ members: 2000, contests: 1 + 17 + places.length, csvPath: path.join(dir, 'a.csv') });
    expect(await isDatabaseEmpty(t.url)).toBe(false);

    const count = async (table: 'regions' | 'districts' | 'contests' | 'candidates' | 'members' | 'polling_stations') =>
      Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('regions')).toBe(17);
    expect(places.length).toBeGreaterThanOrEqual(190);
    expect(await count('districts')).toBe(places.length);
    expect(await count('contests')).toBe(r.contests);
    expect(await count('candidates')).toBe(r.candidates);
    expect(r.candidates).toBeGreaterThan(9000);
    expect(r.candidates).toBeLessThan(11000);
    expect(await count('members')).toBe(2000);
    expect(await count('polling_stations')).toBeGreaterThan(0);

    const levels = await t.db.selectFrom('contests').select(['level', (eb) => eb.fn.countAll().as('n')]).groupBy('level').execute();
    expect(Object.fromEntries(levels.map((l) => [l.level, Number(l.n)]))).toEqual({ national: 1, region: 17, district: places.length });

    const e = await t.db.selectFrom('elections').selectAll().executeTakeFirstOrThrow();
    const now = Date.now();
    expect(new Date(e.opens_at).getTime()).toBeLessThan(now);
    expect(new Date(e.closes_at).getTime() - new Date(e.opens_at).getTime()).toBe(3 * 86400_000);
    expect(e.freeze_date < new Date().toISOString().slice(0, 10)).toBe(true);
    expect(e.results_refresh_seconds).toBe(1800);

    // Quotas have something to report: about 37% women and 29% under 35 among candidates.
    const q = await sql<{ women: number; young: number }>`
      select avg((gender = 'F')::int)::float as women,
             avg((birth_date > (select election_day from elections) - interval '35 years')::int)::float as young
      from candidates`.execute(t.db);
    expect(q.rows[0]!.women).toBeGreaterThan(0.32);
    expect(q.rows[0]!.women).toBeLessThan(0.42);
    expect(q.rows[0]!.young).toBeGreaterThan(0.24);
    expect(q.rows[0]!.young).toBeLessThan(0.34);
    const maxChoices = await t.db.selectFrom('contests').select(['seats', 'max_choices']).execute();
    expect(maxChoices.every((c) => c.max_choices === c.seats)).toBe(true);
  });

  it('gives members valid IINs, unique E.164 phones, and statuses and dates eligibility can refuse', async () => {
    const members = await t.db.selectFrom('members').select(['iin', 'phone', 'status', 'admitted_at', 'birth_date', 'gender']).execute();
    expect(members.every((m) => isValidIin(m.iin))).toBe(true);
    expect(new Set(members.map((m) => m.phone)).size).toBe(members.length);
    expect(members.every((m) => /^\+77\d{9}$/.test(m.phone) && normalizePhone(m.phone) === m.phone)).toBe(true);
    expect(members.every((m) => m.admitted_at >= m.birth_date)).toBe(true);
    const active = members.filter((m) => m.status === 'active').length;
    expect(active / members.length).toBeGreaterThan(0.9);
    expect(members.some((m) => m.status !== 'active')).toBe(true);
    const { freeze_date } = await t.db.selectFrom('elections').select('freeze_date').executeTakeFirstOrThrow();
    expect(members.some((m) => m.admitted_at >= freeze_date)).toBe(true);
    // Every district has a contest of its own and its region's.
    const orphan = await sql<{ n: number }>`
      select count(*)::int as n from members m
      where not exists (select 1 from contests c where c.district_id = m.district_id)
         or not exists (select 1 from contests c where c.level = 'region' and c.region_id = m.region_id)`.execute(t.db);
    expect(orphan.rows[0]!.n).toBe(0);
  });

  it('writes the register CSV in the import format', async () => {
    const rows = parse(await readFile(path.join(dir, 'a.csv')), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2000);
    expect(Object.keys(rows[0]!)).toEqual([...MEMBER_CSV_COLUMNS]);
    const codes = new Set(REGIONS.map((r) => r.code));
    expect(rows.every((r) => codes.has(r.region!) && r.district!.startsWith(`${r.region}-`))).toBe(true);
    const db = await t.db.selectFrom('members').select(['iin', 'phone']).orderBy('iin').execute();
    expect(rows.map((r) => ({ iin: r.iin, phone: r.phone })).sort((a, b) => a.iin!.localeCompare(b.iin!))).toEqual(db);
  });

  it('refuses a database that holds data unless --reset', async () => {
    await expect(seedDemo({ databaseUrl: t.url, members: 10, csvPath: path.join(dir, 'b.csv') })).rejects.toThrow(SeedRefusedError);
    expect(Number((await t.db.selectFrom('members').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(2000);
  });

  it('is deterministic: the same seed gives the same register, another seed another one; --reset clears audit events too', async () => {
    await t.db.insertInto('audit_events').values({ actor: 'test', action: 'test.event', election_id: null, subject_type: null, subject_id: null }).execute();
    await seedDemo({ databaseUrl: t.url, members: 2000, seed: 7, csvPath: path.join(dir, 'c.csv'), reset: true });
    expect(await readFile(path.join(dir, 'c.csv'), 'utf8')).toBe(await readFile(path.join(dir, 'a.csv'), 'utf8'));
    expect(Number((await t.db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);

    await seedDemo({ databaseUrl: t.url, members: 2000, seed: 8, csvPath: path.join(dir, 'd.csv'), reset: true });
    const a = new Set((parse(await readFile(path.join(dir, 'a.csv')), { columns: true }) as { iin: string }[]).map((r) => r.iin));
    const d = (parse(await readFile(path.join(dir, 'd.csv')), { columns: true }) as { iin: string }[]).map((r) => r.iin);
    expect(d.filter((iin) => a.has(iin)).length).toBeLessThan(20);
  });

  it('reports a database that does not exist as empty, and refuses bad options', async () => {
    const u = new URL(t.url);
    u.pathname = '/primaries_no_such_database_for_seed';
    expect(await isDatabaseEmpty(u.toString())).toBe(true);
    await expect(seedDemo({ databaseUrl: t.url, members: 0, reset: true })).rejects.toThrow('--members');
    await expect(seedDemo({ databaseUrl: t.url, days: 0, reset: true })).rejects.toThrow('--days');
  });
});
