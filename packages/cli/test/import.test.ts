import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { makeIin } from '@primaries/domain';
import { type TestDatabase, createTestDatabase } from '@primaries/testing';
import { registerMembersCommands } from '../src/commands/members';
import { ImportFileError, importMembers } from '../src/import/import-members';
import { seedDemo } from '../src/seed';

const HEADER = 'iin,phone,full_name,gender,birth_date,region,district,primary_org,admitted_at,status';

/** Valid IINs no seeded member has (born on 1 Jan 1931; the seed's members are younger than 85). */
function freshIins(n: number): string[] {
  const out: string[] = [];
  for (let s = 0; out.length < n; s++) {
    const iin = makeIin('1931-01-01', 'M', s);
    if (iin) out.push(iin);
  }
  return out;
}

function row(v: { iin: string; phone: string; name?: string; birth?: string; region?: string; district?: string; admitted?: string; status?: string; gender?: string }): string {
  return [v.iin, v.phone, v.name ?? 'Тестов Тест Тестович', v.gender ?? 'M', v.birth ?? '1931-01-01', v.region ?? 'AKM', v.district ?? 'AKM-01', '"ППО № 1, г. Кокшетау"', v.admitted ?? '2001-05-05', v.status ?? 'active'].join(',');
}

describe('pnpm primaries members import', () => {
  let t: TestDatabase;
  let dir: string;
  let seedCsv: string;
  const iins = freshIins(12);
  // Phones no seeded member holds: the seed never draws the same 7 digits twice in 300 members with this seed (checked below).
  const phones = ['+77015550001', '+77015550002', '+77015550003', '+77015550004', '+77015550005'];

  beforeAll(async () => {
    t = await createTestDatabase('import');
    dir = await mkdtemp(path.join(os.tmpdir(), 'primaries-import-'));
    seedCsv = path.join(dir, 'seed.csv');
    await seedDemo({ databaseUrl: t.url, members: 300, seed: 11, csvPath: seedCsv });
    const clash = await t.db.selectFrom('members').select('iin').where((eb) => eb.or([eb('iin', 'in', iins), eb('phone', 'in', phones)])).execute();
    expect(clash).toEqual([]);
  });
  afterAll(async () => {
    await t.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const memberCount = async () => Number((await t.db.selectFrom('members').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const byIin = (iin: string) => t.db.selectFrom('members').selectAll().where('iin', '=', iin).executeTakeFirst();

  it("round-trips the seed's CSV with zero rejects, row for row", async () => {
    const again = await importMembers({ databaseUrl: t.url, file: seedCsv });
    expect(again).toMatchObject({ rows: 300, inserted: 0, updated: 0, unchanged: 300, rejected: 0 });
    expect(await readFile(`${seedCsv}.report.csv`, 'utf8')).toBe('line,reason,message\n');

    // Into a second database whose register holds only the first seeded member: everything else lands as written.
    const other = await createTestDatabase('import2');
    try {
      await seedDemo({ databaseUrl: other.url, members: 1, seed: 11, csvPath: path.join(dir, 'one.csv') });
      const r = await importMembers({ databaseUrl: other.url, file: seedCsv, reportPath: path.join(dir, 'rt.report.csv') });
      expect(r).toMatchObject({ rows: 300, inserted: 299, updated: 0, unchanged: 1, rejected: 0 });
      const dump = (db: TestDatabase['db']) =>
        sql<Record<string, string>>`
          select m.iin, m.phone, m.full_name, m.gender, m.birth_date, r.code as region, d.code as district, m.primary_org, m.admitted_at, m.status
          from members m join regions r on r.id = m.region_id join districts d on d.id = m.district_id order by m.iin`
          .execute(db)
          .then((x) => x.rows);
      expect(await dump(other.db)).toEqual(await dump(t.db));
    } finally {
      await other.drop();
    }
  });

  it('reports every bad row with its line and reason, and upserts only the good rows', async () => {
    const existing = await t.db.selectFrom('members').select(['iin', 'phone', 'full_name']).orderBy('id').limit(2).execute();
    const [x, y] = existing as [(typeof existing)[0], (typeof existing)[0]];
    const lines = [
      HEADER,
      row({ iin: iins[0]!, phone: '8 (701) 555-00-01' }), // 2 good, phone normalised
      row({ iin: `${iins[1]!.slice(0, 11)}${(Number(iins[1]![11]) + 1) % 10}`, phone: phones[1]! }), // 3 bad checksum
      row({ iin: iins[2]!, phone: '+7 727 555 00 02' }), // 4 landline code
      row({ iin: iins[3]!, phone: phones[1]!, district: 'AKM-99' }), // 5 unknown district
      row({ iin: iins[4]!, phone: x.phone }), // 6 phone of another member
      row({ iin: iins[5]!, phone: phones[1]!, birth: '1931-02-30' }), // 7 impossible date
      row({ iin: iins[6]!, phone: phones[1]!, region: 'AKM', district: 'ALA-01' }), // 8 district of another region
      row({ iin: iins[0]!, phone: phones[2]! }), // 9 IIN again (line 2)
      row({ iin: iins[7]!, phone: '+77015550001' }), // 10 phone again (line 2)
      `${iins[8]},${phones[3]},Короткий`, // 11 too few fields
      row({ iin: iins[9]!, phone: phones[3]!, region: 'XXX', district: 'XXX-01' }), // 12 unknown region
      row({ iin: iins[10]!, phone: phones[4]!, status: 'expelled', gender: 'f', name: 'Тестова "Айгуль" Тестовна' }), // 13 good
      [y.iin, y.phone, '"Переименованный, Член"', 'F', '1970-01-01', 'ALA', 'ALA-02', 'ППО № 2', '2000-01-01', 'blocked'].join(','), // 14 update
      row({ iin: iins[11]!, phone: phones[1]!, status: 'retired' }), // 15 unknown status
      row({ iin: iins[1]!, phone: phones[1]!, region: '880229400003' }), // 16 shifted column: an IIN as region
    ];
    const file = path.join(dir, 'mixed.csv');
    await writeFile(file, `${lines.join('\n')}\n`);
    const before = await memberCount();

    const r = await importMembers({ databaseUrl: t.url, file, reportPath: path.join(dir, 'mixed.report.csv') });
    expect(r).toMatchObject({ rows: 15, inserted: 2, updated: 1, unchanged: 0, rejected: 12 });
    const report = parse(await readFile(path.join(dir, 'mixed.report.csv')), { columns: true }) as { line: string; reason: string; message: string }[];
    expect(report.map((l) => [Number(l.line), l.reason])).toEqual([
      [3, 'iin_invalid'],
      [4, 'phone_invalid'],
      [5, 'district_unknown'],
      [6, 'phone_taken'],
      [7, 'birth_date_invalid'],
      [8, 'district_not_in_region'],
      [9, 'iin_duplicate_in_file'],
      [10, 'phone_duplicate_in_file'],
      [11, 'csv_malformed'],
      [12, 'region_unknown'],
      [15, 'status_invalid'],
      [16, 'region_unknown'],
    ]);
    expect(report.find((l) => l.line === '16')!.message).toBe('no region with code (not shown)');
    expect(report.find((l) => l.line === '9')!.message).toBe('IIN already given on line 2');
    expect(report.every((l) => !/\d{12}/.test(l.message) && !l.message.includes('+7'))).toBe(true);
    expect(r.byReason).toMatchObject({ iin_invalid: 1, phone_taken: 1, csv_malformed: 1 });

    expect(await memberCount()).toBe(before + 2);
    expect(await byIin(iins[0]!)).toMatchObject({ phone: '+77015550001', status: 'active' });
    expect(await byIin(iins[10]!)).toMatchObject({ phone: phones[4], gender: 'F', status: 'expelled', full_name: 'Тестова "Айгуль" Тестовна' });
    expect(await byIin(y.iin)).toMatchObject({ full_name: 'Переименованный, Член', gender: 'F', status: 'blocked', birth_date: '1970-01-01' });
    for (const i of [1, 2, 3, 4, 5, 6, 7, 9, 11]) expect(await byIin(iins[i]!)).toBeUndefined();
    expect(await byIin(x.iin)).toMatchObject({ phone: x.phone, full_name: x.full_name });
  });

  it('re-import updates by IIN (phone, status) and leaves identical rows alone', async () => {
    const file = path.join(dir, 'update.csv');
    await writeFile(file, `${HEADER}\n${row({ iin: iins[0]!, phone: '+7 777 123 45 67', status: 'suspended', district: 'AKM-02' })}\n${row({ iin: iins[10]!, phone: phones[4]!, status: 'expelled', gender: 'F', name: 'Тестова "Айгуль" Тестовна' })}\n`);
    const before = await byIin(iins[0]!);
    const r = await importMembers({ databaseUrl: t.url, file });
    expect(r).toMatchObject({ rows: 2, inserted: 0, updated: 1, unchanged: 1, rejected: 0 });
    const after = await byIin(iins[0]!);
    expect(after).toMatchObject({ phone: '+77771234567', status: 'suspended', id: before!.id });
    expect((after!.updated_at as unknown as Date).getTime()).toBeGreaterThan((before!.updated_at as unknown as Date).getTime());
    // The old number is free again for someone else.
    const taker = path.join(dir, 'taker.csv');
    await writeFile(taker, `${HEADER}\n${row({ iin: iins[9]!, phone: '+77015550001' })}\n`);
    expect(await importMembers({ databaseUrl: t.url, file: taker })).toMatchObject({ inserted: 1, rejected: 0 });
  });

  it('is all-or-nothing: a failure while applying leaves the register exactly as it was', async () => {
    await sql`create function import_test_fail() returns trigger language plpgsql as $$
      begin raise exception 'simulated failure'; end $$`.execute(t.db);
    await sql`create trigger import_test_fail before insert or update on members
      for each row when (new.full_name = 'Сбой Импорта') execute function import_test_fail()`.execute(t.db);
    try {
      const victim = (await t.db.selectFrom('members').selectAll().orderBy('id').limit(1).offset(5).executeTakeFirstOrThrow());
      const file = path.join(dir, 'fail.csv');
      await writeFile(
        file,
        [
          HEADER,
          [victim.iin, victim.phone, 'Новое Имя', victim.gender, victim.birth_date, 'AKM', 'AKM-03', 'ППО', victim.admitted_at, 'active'].join(','),
          row({ iin: iins[2]!, phone: phones[2]! }),
          row({ iin: iins[3]!, phone: phones[3]!, name: 'Сбой Импорта' }),
        ].join('\n'),
      );
      const before = await memberCount();
      await expect(importMembers({ databaseUrl: t.url, file })).rejects.toThrow('simulated failure');
      expect(await memberCount()).toBe(before);
      expect(await byIin(victim.iin)).toEqual(victim);
      expect(await byIin(iins[2]!)).toBeUndefined();
    } finally {
      await sql`drop trigger import_test_fail on members`.execute(t.db);
      await sql`drop function import_test_fail()`.execute(t.db);
    }
  });

  it('refuses a file without the required columns or with broken CSV, writing nothing', async () => {
    const before = await memberCount();
    const noStatus = path.join(dir, 'nostatus.csv');
    await writeFile(noStatus, `${HEADER.replace(',status', '')}\n${row({ iin: iins[4]!, phone: phones[2]! }).replace(/,active$/, '')}\n`);
    await expect(importMembers({ databaseUrl: t.url, file: noStatus })).rejects.toThrow(new ImportFileError('the header lacks column(s): status (expected iin,phone,full_name,gender,birth_date,region,district,primary_org,admitted_at,status)'));
    const broken = path.join(dir, 'broken.csv');
    await writeFile(broken, `${HEADER}\n${row({ iin: iins[4]!, phone: phones[2]! })}\n"${iins[5]},${phones[3]},unclosed\n`);
    const err = await importMembers({ databaseUrl: t.url, file: broken }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toMatch(/CSV_QUOTE_NOT_CLOSED at line 3/);
    expect((err as Error).message).not.toContain(iins[5]!);
    await expect(importMembers({ databaseUrl: t.url, file: path.join(dir, 'missing.csv') })).rejects.toThrow(ImportFileError);
    expect(await memberCount()).toBe(before);
  });

  it('dry run reports what would happen and writes nothing', async () => {
    const file = path.join(dir, 'dry.csv');
    await writeFile(file, `${HEADER}\n${row({ iin: iins[4]!, phone: phones[2]! })}\n`);
    const before = await memberCount();
    expect(await importMembers({ databaseUrl: t.url, file, dryRun: true })).toMatchObject({ inserted: 1, dryRun: true });
    expect(await memberCount()).toBe(before);
  });

  it('the command prints a summary without personal data and exits 2 when rows were refused', async () => {
    const file = path.join(dir, 'cli.csv');
    await writeFile(file, `${HEADER}\n${row({ iin: iins[5]!, phone: phones[3]! })}\n${row({ iin: iins[6]!, phone: 'nope' })}\n`);
    const out: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((m: string) => void out.push(m));
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = t.url;
    try {
      const program = new Command().exitOverride();
      registerMembersCommands(program);
      await program.parseAsync(['members', 'import', file, '--quiet'], { from: 'user' });
      expect(process.exitCode).toBe(2);
    } finally {
      process.exitCode = undefined;
      process.env.DATABASE_URL = saved;
      log.mockRestore();
    }
    const text = out.join('\n');
    expect(text).toContain('inserted 1, updated 0, unchanged 0, rejected 1');
    expect(text).toContain('line 3: phone_invalid');
    expect(text).not.toMatch(/\d{12}|\+77/);
  });
});
