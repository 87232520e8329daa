import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { listAuditEvents } from '@primaries/db';
import { makeIin } from '@primaries/domain';
import { type TestDatabase, createTestDatabase } from '@primaries/testing';
import { SetupRefusedError, importElection } from '../src/import/import-election';
import { importLines } from '../src/commands/election';

let t: TestDatabase;
let root: string;
let electionId: number;
const SLUG = 'setup-2026';
const iinF1995 = makeIin('1995-05-01', 'F', 7) ?? makeIin('1995-05-01', 'F', 8)!;

async function files(name: string, content: Record<string, string[]>): Promise<string> {
  const dir = path.join(root, name);
  await rm(dir, { recursive: true, force: true });
  await (await import('node:fs/promises')).mkdir(dir, { recursive: true });
  for (const [kind, lines] of Object.entries(content)) await writeFile(path.join(dir, `${kind}.csv`), `${lines.join('\n')}\n`);
  return dir;
}

const GOOD = {
  regions: ['code,name_ru,name_kk', 'TST,Тестовая область,Сынақ облысы', 'TSU,Другая область,'],
  districts: ['code,region,name_ru,name_kk,kind', 'TST-01,TST,г. Тестов,Тестов қ.,city', 'TST-02,TST,Тестовский район,,district', 'TSU-01,TSU,Район Б,Б ауданы,district'],
  contests: [
    'region,district,name_ru,name_kk,seats,max_marks',
    ',,Республиканский список,Республикалық тізім,2,3',
    'TST,,Маслихат Тестовой области,Сынақ облысы мәслихаты,1,2',
    'TST,TST-01,Маслихат г. Тестов,,1,1',
  ],
  candidates: [
    'region,district,ballot_order,full_name_ru,full_name_kk,gender,birth_date,iin,occupation',
    ',,1,Иванова Анна Петровна,Иванова Анна Петрқызы,,,' + iinF1995 + ',учитель',
    ',,2,Петров Пётр Петрович,,M,1970-01-01,,',
    ',,3,"Сериков Серик ""Младший""",Серіков Серік,M,1990-02-02,,инженер',
    'TST,,1,Ахметова Айгерим,,F,1985-03-03,,',
    'TST,,2,Бекова Бота,,F,1999-04-04,,',
    'TST,TST-01,1,Жанов Жан,,M,1960-05-05,,',
  ],
};

beforeAll(async () => {
  t = await createTestDatabase('election_import');
  root = await mkdtemp(path.join(os.tmpdir(), 'primaries-election-'));
  const row = await t.db
    .insertInto('elections')
    .values({ slug: SLUG, name: 'Праймериз', name_kk: 'Праймериз', opens_at: new Date(Date.now() + 86400_000), closes_at: new Date(Date.now() + 4 * 86400_000), freeze_date: '2026-09-11', election_day: '2026-12-10' })
    .returning('id')
    .executeTakeFirstOrThrow();
  electionId = row.id;
});
afterAll(async () => {
  await t.drop();
  await rm(root, { recursive: true, force: true });
});

/** Everything an import may touch, as comparable rows. */
async function dump() {
  const q = (text: string) => sql.raw<Record<string, unknown>>(text).execute(t.db).then((r) => r.rows);
  return {
    regions: await q('select code, name, name_kk from regions order by code'),
    districts: await q('select d.code, r.code as region, d.name, d.name_kk, d.kind from districts d join regions r on r.id = d.region_id order by d.code'),
    contests: await q('select id, level, region_id, district_id, name, name_kk, seats, max_choices from contests order by id'),
    candidates: await q('select id, contest_id, ballot_order, full_name, full_name_kk, gender, birth_date, occupation, status from candidates order by contest_id, ballot_order'),
    audit: await q('select count(*)::int as n from audit_events'),
  };
}

describe('pnpm primaries election import', () => {
  it('imports a good setup, reading gender and birth date from the IIN when absent, with an audit event', async () => {
    const dir = await files('good', GOOD);
    const s = await importElection({ databaseUrl: t.url, election: SLUG, inputs: [dir], today: '2026-12-03' });
    expect(s.rejects).toEqual([]);
    expect(s).toMatchObject({ electionId, applied: true, rows: { regions: 2, districts: 3, contests: 3, candidates: 6 } });
    expect(s.counts).toEqual({
      regions: { inserted: 2, updated: 0 }, districts: { inserted: 3, updated: 0 }, contests: { inserted: 3, updated: 0 }, candidates: { inserted: 6, updated: 0, deleted: 0 },
    });
    const d = await dump();
    expect(d.districts).toContainEqual({ code: 'TST-02', region: 'TST', name: 'Тестовский район', name_kk: null, kind: 'district' });
    const national = d.contests.find((c) => c.level === 'national')!;
    expect(national).toMatchObject({ name: 'Республиканский список', seats: 2, max_choices: 3, region_id: null });
    const anna = d.candidates.find((c) => c.full_name === 'Иванова Анна Петровна')!;
    expect(anna).toMatchObject({ gender: 'F', birth_date: '1995-05-01', full_name_kk: 'Иванова Анна Петрқызы', occupation: 'учитель', contest_id: national.id });
    expect(d.candidates.find((c) => c.ballot_order === 3)).toMatchObject({ full_name: 'Сериков Серик "Младший"' });
    const events = await listAuditEvents(t.db);
    expect(events.at(-1)).toMatchObject({ action: 'election.imported', actor: { role: 'operator', id: 'cli' }, subject: `election:${electionId}` });
    expect(JSON.stringify(events)).not.toContain(iinF1995);
    expect(importLines(s).join('\n')).toMatch(/candidates 6 new, 0 updated, 0 deleted/);
  });

  it('refuses a setup with bad lines: nothing changes, and every bad line is reported with its reason', async () => {
    const before = await dump();
    const dir = await files('bad', {
      regions: ['code,name_ru,name_kk', 'TST,Тестовая область (новое имя),', 'B@D,Плохой код,', 'TSV,,Аты ғана'],
      districts: ['code,region,name_ru,name_kk,kind', 'TST-03,TST,Новый район,,village', 'TST-04,XXX,Район,,district', 'TSU-01,TST,Переезд,,district', 'TST-05,TST,Лишнее поле,,city,extra'],
      contests: ['region,district,name_ru,name_kk,seats,max_marks', 'TST,TST-02,Маслихат района,,0,1', 'TSU,TST-01,Не та область,,1,1', 'TST,,Снова область,,1,x'],
      candidates: [
        'region,district,ballot_order,full_name_ru,full_name_kk,gender,birth_date,iin,occupation',
        ',,1,Кандидат Один,,X,1980-01-01,,',
        ',,1,Кандидат Два,,M,1980-01-01,,',
        ',,1,Кандидат Три,,M,1980-01-01,,',
        ',,3,Без пола,,,1980-01-01,,',
        ',,4,Неверный ИИН,,,,791028302729,',
        ',,5,Будущее,,F,2030-01-01,,',
        'TSU,,1,Нет конкурса,,F,1980-01-01,,',
        ',,6,Дважды,,,,' + iinF1995 + ',',
        ',,7,Дважды снова,,,,' + iinF1995 + ',',
        ',,0,Ноль,,M,1980-01-01,,',
        ',,8,,,M,1980-01-01,,',
      ],
    });
    const s = await importElection({ databaseUrl: t.url, election: SLUG, inputs: [dir], today: '2026-12-03' });
    expect(s.applied).toBe(false);
    expect(s.counts).toBeNull();
    expect(s.rejects.map((r) => [r.file, r.line, r.reason])).toEqual([
      ['regions.csv', 3, 'code_invalid'],
      ['regions.csv', 4, 'name_invalid'],
      ['districts.csv', 2, 'kind_invalid'],
      ['districts.csv', 3, 'region_unknown'],
      ['districts.csv', 4, 'district_moves_region'],
      ['districts.csv', 5, 'csv_malformed'],
      ['contests.csv', 2, 'seats_invalid'],
      ['contests.csv', 3, 'district_not_in_region'],
      ['contests.csv', 4, 'max_marks_invalid'],
      ['candidates.csv', 2, 'gender_invalid'],
      ['candidates.csv', 4, 'ballot_order_duplicate'],
      ['candidates.csv', 5, 'gender_missing'],
      ['candidates.csv', 6, 'iin_invalid'],
      ['candidates.csv', 7, 'birth_date_invalid'],
      ['candidates.csv', 8, 'contest_unknown'],
      ['candidates.csv', 10, 'candidate_duplicate'],
      ['candidates.csv', 11, 'ballot_order_invalid'],
      ['candidates.csv', 12, 'name_invalid'],
    ]);
    expect(await dump()).toEqual(before);
    const report = parse(await readFile(s.reportPath, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(report).toHaveLength(s.rejects.length);
    expect(report[0]).toEqual({ file: 'regions.csv', line: '3', reason: 'code_invalid', message: expect.any(String) });
    // The report never repeats an IIN.
    expect(await readFile(s.reportPath, 'utf8')).not.toMatch(/\d{12}/);
    expect(importLines(s).join('\n')).toMatch(/REFUSED: 18 bad line\(s\); nothing was written[\s\S]*candidates.csv line 12: name_invalid/);
  });

  it('previews with --dry-run: the counts, and nothing written', async () => {
    const before = await dump();
    const dir = await files('dry', { regions: ['code,name_ru', 'TSW,Новая область'] });
    const s = await importElection({ databaseUrl: t.url, election: SLUG, inputs: [path.join(dir, 'regions.csv')], dryRun: true });
    expect(s).toMatchObject({ applied: false, dryRun: true, counts: { regions: { inserted: 1, updated: 0 } }, rejects: [] });
    expect(await dump()).toEqual(before);
  });

  it("re-imports before opening: upserts places and contests, replaces a listed contest's candidates", async () => {
    const before = await dump();
    const national = before.contests.find((c) => c.level === 'national')!;
    const regional = before.contests.find((c) => c.level === 'region')!;
    const dir = await files('again', {
      regions: ['code,name_ru,name_kk', 'TST,Тестовая область (переименована),Сынақ облысы'],
      contests: ['region,district,name_ru,name_kk,seats,max_marks', ',,Республиканский список,Республикалық тізім,3,4'],
      candidates: [
        'region,district,ballot_order,full_name_ru,full_name_kk,gender,birth_date,iin,occupation',
        ',,1,Иванова Анна Петровна,Иванова Анна Петрқызы,,,' + iinF1995 + ',директор',
        ',,4,Новый Кандидат,,M,1980-06-06,,',
      ],
    });
    const s = await importElection({ databaseUrl: t.url, election: SLUG, inputs: [dir] });
    expect(s.counts).toEqual({
      regions: { inserted: 0, updated: 1 }, districts: { inserted: 0, updated: 0 }, contests: { inserted: 0, updated: 1 }, candidates: { inserted: 1, updated: 1, deleted: 2 },
    });
    const after = await dump();
    expect(after.regions.find((r) => r.code === 'TST')).toMatchObject({ name: 'Тестовая область (переименована)' });
    expect(after.contests.find((c) => c.id === national.id)).toMatchObject({ seats: 3, max_choices: 4 });
    expect(after.candidates.filter((c) => c.contest_id === national.id).map((c) => [c.ballot_order, c.full_name, c.occupation])).toEqual([
      [1, 'Иванова Анна Петровна', 'директор'],
      [4, 'Новый Кандидат', null],
    ]);
    // A contest the file does not list keeps its candidates.
    expect(after.candidates.filter((c) => c.contest_id === regional.id)).toEqual(before.candidates.filter((c) => c.contest_id === regional.id));
  });

  it('is refused once the window has opened, and changes nothing', async () => {
    await t.db.updateTable('elections').set({ opens_at: new Date(Date.now() - 60_000) }).where('id', '=', electionId).execute();
    const before = await dump();
    const dir = await files('late', { regions: ['code,name_ru', 'TSL,Поздняя область'] });
    await expect(importElection({ databaseUrl: t.url, election: SLUG, inputs: [dir] })).rejects.toThrow(SetupRefusedError);
    await expect(importElection({ databaseUrl: t.url, election: SLUG, inputs: [dir] })).rejects.toThrow(/has opened/);
    expect(await dump()).toEqual(before);
    await t.db.updateTable('elections').set({ opens_at: new Date(Date.now() + 86400_000) }).where('id', '=', electionId).execute();
  });

  it('refuses unknown file names, a missing column and an unknown election before reading rows', async () => {
    const dir = await files('names', { voters: ['a,b'], contests: ['region,district,name_ru,seats', ',,X,1'] });
    await expect(importElection({ databaseUrl: t.url, election: SLUG, inputs: [path.join(dir, 'voters.csv')] })).rejects.toThrow(/a setup file is named/);
    await expect(importElection({ databaseUrl: t.url, election: SLUG, inputs: [dir] })).rejects.toThrow(/lacks column\(s\) max_marks/);
    const ok = await files('names2', { regions: ['code,name_ru', 'TSQ,Область'] });
    await expect(importElection({ databaseUrl: t.url, election: 'nope', inputs: [ok] })).rejects.toThrow(/no election with slug nope/);
  });
});
