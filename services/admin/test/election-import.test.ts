import { sql } from 'kysely';
import { makeIin } from '@primaries/domain';
import { type Client, type Harness, adminHarness, enrolStaff, signIn } from './harness';

/**
 * The election import from the console (issue #13): preview writes nothing, an import with
 * bad rows changes nothing and reports every bad line, a good one is written and audited,
 * the pre-open check lists every problem, and all of it is refused once the window opens.
 */
let h: Harness;
let organizer: Client;
let electionId: number;
const SLUG = 'console-setup';
const iin = makeIin('1990-01-01', 'M', 1)!;

const GOOD = {
  'regions.csv': 'code,name_ru,name_kk\nCSR,Консольная область,Консоль облысы\n',
  'districts.csv': 'code,region,name_ru,name_kk,kind\nCSR-01,CSR,г. Консоль,,city\n',
  'contests.csv': 'region,district,name_ru,name_kk,seats,max_marks\n,,Республиканский список,,1,2\nCSR,,Маслихат области,,1,1\nCSR,CSR-01,Маслихат города,,2,3\n',
  'candidates.csv': [
    'region,district,ballot_order,full_name_ru,full_name_kk,gender,birth_date,iin,occupation',
    ',,1,Иванова Анна,,F,1980-01-01,,',
    `,,2,Петров Пётр,,,,${iin},`,
    'CSR,,1,Ахметова Айгерим,,F,1985-03-03,,',
  ].join('\n'),
};
const files = (f: Record<string, string>) => Object.entries(f).map(([name, content]) => ({ name, content }));

async function dump() {
  const q = (text: string) => sql.raw<Record<string, unknown>>(text).execute(h.tdb.db).then((r) => r.rows);
  return {
    regions: await q('select code, name from regions order by code'),
    districts: await q('select code, name from districts order by code'),
    contests: await q('select id, name, seats, max_choices from contests order by id'),
    candidates: await q('select contest_id, ballot_order, full_name from candidates order by contest_id, ballot_order'),
    audit: await q('select action, actor from audit_events order by id'),
  };
}

beforeAll(async () => {
  h = await adminHarness('admin_election_import');
  const row = await h.tdb.db
    .insertInto('elections')
    .values({ slug: SLUG, name: 'Праймериз', name_kk: null, opens_at: new Date(Date.now() + 86400_000), closes_at: new Date(Date.now() + 3 * 86400_000), freeze_date: '2026-09-11', election_day: '2026-12-10' })
    .returning('id')
    .executeTakeFirstOrThrow();
  electionId = row.id;
  organizer = await signIn(h, await enrolStaff(h, 'organizer'));
});
afterAll(async () => h.close());

it('a preview reports what would be written and writes nothing', async () => {
  const before = await dump();
  const res = await organizer.post('/api/v1/election/import/preview', { files: files(GOOD) });
  expect(res.statusCode).toBe(200);
  const report = res.json();
  expect(report).toMatchObject({ electionId, applied: false, dryRun: true, rejects: [], rows: { regions: 1, districts: 1, contests: 3, candidates: 3 } });
  expect(report.counts).toEqual({
    regions: { inserted: 1, updated: 0 },
    districts: { inserted: 1, updated: 0 },
    contests: { inserted: 3, updated: 0 },
    candidates: { inserted: 3, updated: 0, deleted: 0 },
  });
  expect(await dump()).toEqual(before);
});

it('an import with bad rows changes nothing and reports every bad line, in the preview and at confirm', async () => {
  const bad = {
    ...GOOD,
    'districts.csv': 'code,region,name_ru,name_kk,kind\nCSR-01,CSR,г. Консоль,,city\nCSR-02,NOPE,Район,,district\n',
    'candidates.csv': [
      'region,district,ballot_order,full_name_ru,full_name_kk,gender,birth_date,iin,occupation',
      ',,1,Иванова Анна,,F,1980-01-01,,',
      ',,1,Дубль,,F,1980-01-01,,',
      ',,2,,,F,1980-01-01,,',
      ',,3,Без пола,,,1980-01-01,,',
      ',,4,Неверный ИИН,,,,123456789012,',
      'ZZZ,,1,Нет области,,F,1980-01-01,,',
      'too,few',
    ].join('\n'),
  };
  const before = await dump();
  const expected = [
    { file: 'districts.csv', line: 3, reason: 'region_unknown' },
    { file: 'candidates.csv', line: 3, reason: 'ballot_order_duplicate' },
    { file: 'candidates.csv', line: 4, reason: 'name_invalid' },
    { file: 'candidates.csv', line: 5, reason: 'gender_missing' },
    { file: 'candidates.csv', line: 6, reason: 'iin_invalid' },
    { file: 'candidates.csv', line: 7, reason: 'region_unknown' },
    { file: 'candidates.csv', line: 8, reason: 'csv_malformed' },
  ];
  const preview = await organizer.post('/api/v1/election/import/preview', { files: files(bad) });
  expect(preview.statusCode).toBe(200);
  expect(preview.json().counts).toBeNull();
  expect(preview.json().rejects.map((r: { file: string; line: number; reason: string }) => ({ file: r.file, line: r.line, reason: r.reason }))).toEqual(expected);

  const res = await organizer.post('/api/v1/election/import', { files: files(bad) });
  expect(res.statusCode).toBe(422);
  const body = res.json();
  expect(body.error.code).toBe('ADMIN_ERR_IMPORT_REJECTED');
  expect(body.error.report.applied).toBe(false);
  expect(body.error.report.rejects.map((r: { file: string; line: number; reason: string }) => ({ file: r.file, line: r.line, reason: r.reason }))).toEqual(expected);
  // The refused IIN never comes back in the report.
  expect(res.body).not.toContain('123456789012');
  expect(await dump()).toEqual(before);
});

it('a good import is written in one go with an election.imported event naming the organizer', async () => {
  const res = await organizer.post('/api/v1/election/import', { files: files(GOOD) });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ applied: true, dryRun: false, rejects: [] });
  const after = await dump();
  expect(after.regions).toEqual([{ code: 'CSR', name: 'Консольная область' }]);
  expect(after.candidates).toHaveLength(3);
  expect(after.audit.at(-1)).toEqual({ action: 'election.imported', actor: expect.stringMatching(/^organizer:\d+$/) });
});

it('the pre-open check lists every problem at once', async () => {
  const res = await organizer.get('/api/v1/election/setup');
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body.election).toMatchObject({ id: electionId, slug: SLUG, editable: true });
  // National: 2 candidates, max marks 2 — fine. Region: 1 candidate — fine. District: none.
  expect(body.problems.map((p: { code: string }) => p.code)).toEqual(['contest_without_candidates']);
  // A contest whose marks and seats are above its candidates: both reported, with the empty one.
  await organizer.post('/api/v1/election/import', { files: files({ 'contests.csv': 'region,district,name_ru,name_kk,seats,max_marks\nCSR,,Маслихат области,,3,4\n' }) });
  const again = (await organizer.get('/api/v1/election/setup')).json();
  expect(again.problems.map((p: { code: string }) => p.code)).toEqual(['max_marks_above_candidates', 'seats_above_candidates', 'contest_without_candidates']);
});

it('refuses bad files and callers with stable codes', async () => {
  const wrongName = await organizer.post('/api/v1/election/import/preview', { files: [{ name: 'people.csv', content: 'a\n1\n' }] });
  expect([wrongName.statusCode, wrongName.json().error.code]).toEqual([422, 'ADMIN_ERR_IMPORT_FILE_INVALID']);
  const noHeader = await organizer.post('/api/v1/election/import/preview', { files: [{ name: 'regions.csv', content: 'code\nX\n' }] });
  expect([noHeader.statusCode, noHeader.json().error.code]).toEqual([422, 'ADMIN_ERR_IMPORT_FILE_INVALID']);
  const noElection = await organizer.post('/api/v1/election/import/preview', { election: 'nope', files: files(GOOD) });
  expect([noElection.statusCode, noElection.json().error.code]).toEqual([404, 'ADMIN_ERR_ELECTION_NOT_FOUND']);
  const noCsrf = await organizer.post('/api/v1/election/import', { files: files(GOOD) }, { csrf: false });
  expect([noCsrf.statusCode, noCsrf.json().error.code]).toEqual([403, 'ADMIN_ERR_CSRF']);
  const control = await signIn(h, await enrolStaff(h, 'control'));
  const forbidden = await control.post('/api/v1/election/import', { files: files(GOOD) });
  expect([forbidden.statusCode, forbidden.json().error.code]).toEqual([403, 'ADMIN_ERR_FORBIDDEN']);
  const huge = await organizer.post('/api/v1/election/import/preview', { files: [{ name: 'candidates.csv', content: 'x'.repeat(17 * 1024 * 1024) }] });
  expect([huge.statusCode, huge.json().error.code]).toEqual([413, 'ADMIN_ERR_PAYLOAD_TOO_LARGE']);
});

it('refuses to preview or import once the window has opened, and changes nothing', async () => {
  await h.tdb.db.updateTable('elections').set({ opens_at: new Date(Date.now() - 60_000) }).where('id', '=', electionId).execute();
  const before = await dump();
  for (const url of ['/api/v1/election/import/preview', '/api/v1/election/import']) {
    const res = await organizer.post(url, { files: files(GOOD) });
    expect([url, res.statusCode, res.json().error.code]).toEqual([url, 409, 'ADMIN_ERR_SETUP_LOCKED']);
  }
  expect(await dump()).toEqual(before);
  const check = (await organizer.get('/api/v1/election/setup')).json();
  expect(check.election.editable).toBe(false);
  expect(check.problems.map((p: { code: string }) => p.code)).toContain('already_open');
});

it('a draft never opens by itself: its setup may still change after its opening time, until it is scheduled and opens', async () => {
  // The election above opened a minute ago; as a draft (never scheduled) it is not open.
  await h.tdb.db.updateTable('elections').set({ scheduled_at: null }).where('id', '=', electionId).execute();
  expect((await organizer.get('/api/v1/election/setup')).json().election.editable).toBe(true);
  const res = await organizer.post('/api/v1/election/import/preview', { files: files(GOOD) });
  expect(res.statusCode).toBe(200);
  await h.tdb.db.updateTable('elections').set({ scheduled_at: new Date() }).where('id', '=', electionId).execute();
  const refused = await organizer.post('/api/v1/election/import/preview', { files: files(GOOD) });
  expect([refused.statusCode, refused.json().error.code]).toEqual([409, 'ADMIN_ERR_SETUP_LOCKED']);
});
