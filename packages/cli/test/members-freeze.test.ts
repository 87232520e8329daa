import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { makeIin } from '@primaries/domain';
import { type TestDatabase, createTestDatabase, createSmallElection } from '@primaries/testing';
import { importMembers } from '../src/import/import-members';

/**
 * The membership freeze at the member import (issue #13): admissions dated inside the
 * window are refused with their own reason; while the window runs, an import never changes
 * a member's status (only the control committee does, in the console); outside it, it may.
 */
const HEADER = 'iin,phone,full_name,gender,birth_date,region,district,primary_org,admitted_at,status';
let t: TestDatabase;
let dir: string;
let electionId: number;
let region: string;
let district: string;
const iins = [0, 1, 2, 3, 4].map((s) => makeIin('1960-06-06', 'M', 100 + s)!);
const phones = ['+77015551001', '+77015551002', '+77015551003', '+77015551004', '+77015551005'];
const row = (i: number, admitted: string, status = 'active') => [iins[i], phones[i], 'Тестов Т.', 'M', '1960-06-06', region, district, 'ППО', admitted, status].join(',');

beforeAll(async () => {
  t = await createTestDatabase('members_freeze');
  dir = await mkdtemp(path.join(os.tmpdir(), 'primaries-freeze-'));
  const e = await createSmallElection(t.db, { opensAt: new Date('2026-10-01T00:00:00Z'), closesAt: new Date('2026-10-04T09:00:00Z'), freezeDate: '2026-09-11' });
  electionId = e.electionId;
  const d = await t.db.selectFrom('districts').innerJoin('regions', 'regions.id', 'districts.region_id').select(['districts.code as d', 'regions.code as r']).where('districts.id', '=', e.districtIds[0]!).executeTakeFirstOrThrow();
  region = d.r;
  district = d.d;
});
afterAll(async () => {
  await t.drop();
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string, lines: string[], today: string) {
  const file = path.join(dir, `${name}.csv`);
  await writeFile(file, `${[HEADER, ...lines].join('\n')}\n`);
  const summary = await importMembers({ databaseUrl: t.url, file, today });
  const report = parse(await readFile(`${file}.report.csv`), { columns: true }) as Array<{ line: string; reason: string; message: string }>;
  return { summary, report: report.map((r) => [Number(r.line), r.reason]) };
}
const statusOf = async (i: number) => (await t.db.selectFrom('members').select('status').where('iin', '=', iins[i]!).executeTakeFirst())?.status;

it('refuses admissions dated inside the window (null end: until the close day), accepts those before and after', async () => {
  const { summary, report } = await run('admissions', [
    row(0, '2026-09-10'), // the day before the freeze: fine
    row(1, '2026-09-11'), // its first day
    row(2, '2026-10-04'), // the close's day: the freeze lasts until voting ends
    row(3, '2026-10-05'), // after it
  ], '2026-11-01');
  expect(report).toEqual([[3, 'admitted_in_freeze'], [4, 'admitted_in_freeze']]);
  expect(summary).toMatchObject({ inserted: 2, rejected: 2 });
  expect([await statusOf(1), await statusOf(2)]).toEqual([undefined, undefined]);

  // With an explicit end, the window stops there.
  await t.db.updateTable('elections').set({ freeze_end: '2026-09-20' }).where('id', '=', electionId).execute();
  const again = await run('admissions-end', [row(1, '2026-09-20'), row(2, '2026-09-21')], '2026-11-01');
  expect(again.report).toEqual([[2, 'admitted_in_freeze']]);
  await t.db.updateTable('elections').set({ freeze_end: null }).where('id', '=', electionId).execute();
});

it('while the window runs an import changes no status (status_frozen); outside it, it may', async () => {
  // A new member admitted before the window still comes in during it.
  const during = await run('status-during', [row(0, '2026-09-10', 'expelled'), row(4, '2026-09-01', 'active')], '2026-09-20');
  expect(during.report).toEqual([[2, 'status_frozen']]);
  expect([await statusOf(0), await statusOf(4)]).toEqual(['active', 'active']);
  const after = await run('status-after', [row(0, '2026-09-10', 'expelled')], '2026-10-05');
  expect(after.report).toEqual([]);
  expect(await statusOf(0)).toBe('expelled');
});
