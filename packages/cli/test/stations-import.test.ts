import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeIin } from '@primaries/domain';
import { type SmallElection, type TestDatabase, createSmallElection, createTestDatabase } from '@primaries/testing';
import { stationsImport, stationsReport } from '../src/commands/stations';

/** `stations import` (issue #15): stations and station lists from CSV, validated, line-numbered, all or nothing. */
let tdb: TestDatabase;
let el: SmallElection;
let dir: string;
let codes: { region: string; district: string; otherRegionDistrict: string };
const iins = [makeIin('1980-01-02', 'M', 11)!, makeIin('1981-02-03', 'F', 12)!];

beforeAll(async () => {
  tdb = await createTestDatabase('cli_stations');
  el = await createSmallElection(tdb.db);
  dir = await mkdtemp(path.join(tmpdir(), 'stations-'));
  const r = await tdb.db.selectFrom('regions').select('code').where('id', '=', el.regionIds[0]!).executeTakeFirstOrThrow();
  const d = await tdb.db.selectFrom('districts').select('code').where('id', '=', el.districtIds[1]!).executeTakeFirstOrThrow();
  const o = await tdb.db.selectFrom('districts').select('code').where('id', '=', el.districtIds[2]!).executeTakeFirstOrThrow();
  codes = { region: r.code, district: d.code, otherRegionDistrict: o.code };
  for (const [i, iin] of iins.entries()) {
    await tdb.db.insertInto('members').values({ iin, phone: `+770100000${i}0`, full_name: `M ${i}`, gender: 'M', birth_date: '1980-01-02', region_id: el.regionIds[0]!, district_id: el.districtIds[1]!, primary_org: 'o', admitted_at: '2025-01-01' }).execute();
  }
});
afterAll(async () => tdb.drop());

async function file(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}
const env = () => ({ DATABASE_URL: tdb.url });
const count = async (t: 'polling_stations' | 'paper_voters') => Number((await tdb.db.selectFrom(t).select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);

it('refuses a stations file with bad lines as a whole, reporting each line and reason', async () => {
  const csv = [
    'code,settlement,region,district,address,opens_at,closes_at',
    `PS-1,Village one,${codes.region},${codes.district},School 1,2026-10-03T08:00+06:00,2026-10-03T14:00+06:00`,
    `PS-2,Village two,${codes.region},${codes.otherRegionDistrict},,2026-10-03T08:00+06:00,2026-10-03T14:00+06:00`,
    `PS-3,Village three,${codes.region},${codes.district},,2026-10-03T08:00,2026-10-03T14:00+06:00`,
    `PS-1,Again,${codes.region},${codes.district},,2026-10-03T08:00+06:00,2026-10-03T14:00+06:00`,
    `PS-4,Village four,NOPE,${codes.district},,2026-10-03T14:00+06:00,2026-10-03T08:00+06:00`,
  ].join('\n');
  const r = await stationsImport(await file('bad.csv', csv), env());
  expect(r.written).toBe(0);
  expect(r.rejects.map((x) => [x.line, x.reason])).toEqual([[3, 'district_not_in_region'], [4, 'hours_invalid'], [5, 'code_duplicate_in_file'], [6, 'hours_order']]);
  expect(stationsReport('bad.csv', r)).toContain('line 3: district_not_in_region');
  expect(await count('polling_stations')).toBe(0);
});

it('imports stations, then a station list by IIN (a re-import moves a member, never duplicates)', async () => {
  const stations = [
    'code,settlement,region,district,address,opens_at,closes_at',
    `PS-1,Village one,${codes.region},${codes.district},School 1,2026-10-03T08:00+06:00,2026-10-03T14:00+06:00`,
    `PS-2,Village two,${codes.region},${codes.district},,2026-10-03T08:00+06:00,2026-10-03T14:00+06:00`,
  ].join('\n');
  const s = await stationsImport(await file('stations.csv', stations), env());
  expect(s).toMatchObject({ kind: 'stations', written: 2, rejects: [] });
  const ps = await tdb.db.selectFrom('polling_stations').selectAll().where('code', '=', 'PS-1').executeTakeFirstOrThrow();
  expect(ps).toMatchObject({ settlement: 'Village one', address: 'School 1', district_id: el.districtIds[1] });
  expect(new Date(ps.opens_at).toISOString()).toBe('2026-10-03T02:00:00.000Z');

  const bad = await stationsImport(await file('list-bad.csv', `station,iin\nPS-1,${iins[0]}\nPS-9,${iins[1]}\nPS-1,791028302729\n`), env());
  expect(bad.rejects.map((x) => [x.line, x.reason])).toEqual([[3, 'station_unknown'], [4, 'iin_invalid']]);
  expect(await count('paper_voters')).toBe(0);

  expect(await stationsImport(await file('list.csv', `station,iin\nPS-1,${iins[0]}\nPS-1,${iins[1]}\n`), env())).toMatchObject({ kind: 'list', written: 2 });
  expect(await stationsImport(await file('list2.csv', `iin,station\n${iins[1]},PS-2\n`), env())).toMatchObject({ written: 1 });
  const lists = await tdb.db.selectFrom('paper_voters as v').innerJoin('polling_stations as s', 's.id', 'v.polling_station_id').select(['s.code']).orderBy('s.code').execute();
  expect(lists.map((l) => l.code)).toEqual(['PS-1', 'PS-2']);
  const events = await tdb.db.selectFrom('audit_events').select(['action', 'actor_role']).where('action', 'like', 'paper.%').execute();
  expect(events).toEqual([
    { action: 'paper.stations.imported', actor_role: 'operator' },
    { action: 'paper.list.imported', actor_role: 'operator' },
    { action: 'paper.list.imported', actor_role: 'operator' },
  ]);
});

it('refuses a file whose header names neither kind', async () => {
  await expect(stationsImport(await file('x.csv', 'a,b\n1,2\n'), env())).rejects.toThrow(/header must name/);
});
