import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { listAuditEvents } from '@primaries/db';
import { protocolKeys } from '@primaries/results-model';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis } from '@primaries/testing';
import { rebuildResults } from '../src/tally/rebuild';

// Issue #13: publication. Once results_published_at is set the tally runs once more: the
// snapshot says final: true, and each contest gets its protocol (CSV, PDF) whose numbers are
// the snapshot's, stored once and copied to Redis for the results site.
let tdb: TestDatabase;
let tr: TestRedis;
let el: SmallElection;

beforeAll(async () => {
  tdb = await createTestDatabase('publish_protocols');
  tr = await createTestRedis('publish_protocols');
  el = await createSmallElection(tdb.db, { opensAt: new Date(Date.now() - 7200_000), closesAt: new Date(Date.now() - 3600_000) });
  // Ballots in the national contest: A ×3, B ×2, C ×1 (marks are candidate ids).
  const [a, b, c] = el.candidates[el.contests.national]!;
  await tdb.db.insertInto('ballots').values([[a!, b!], [a!], [a!, c!], [b!]].map((marks) => ({ contest_id: el.contests.national, marks }))).execute();
});
afterAll(async () => {
  await tr.cleanup();
  await tdb.drop();
});

const rebuild = () => rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser: null, electionId: el.electionId });
const stored = () => tdb.db.selectFrom('protocols').selectAll().where('election_id', '=', el.electionId).orderBy('contest_id').orderBy('format').execute();

it('makes no protocol while the results are interim', async () => {
  const { snapshot } = await rebuild();
  expect(snapshot!.final).toBe(false);
  expect(await stored()).toEqual([]);
});

it('publication: final: true, and a CSV and a PDF per contest with the snapshot\'s numbers', async () => {
  await tdb.db.updateTable('elections').set({ results_published_at: new Date() }).where('id', '=', el.electionId).execute();
  const { snapshot } = await rebuild();
  expect(snapshot!.final).toBe(true);
  const rows = await stored();
  expect(rows).toHaveLength(snapshot!.contests.length * 2);
  for (const r of rows) expect(r.sha256).toBe(createHash('sha256').update(r.content).digest('hex'));
  expect(rows.every((r) => r.snapshot_version === snapshot!.version)).toBe(true);

  const contest = snapshot!.contests.find((c) => c.id === el.contests.national)!;
  const csv = rows.find((r) => r.contest_id === contest.id && r.format === 'csv')!;
  const lines: Array<Record<string, string>> = parse(csv.content.toString('utf8'), { columns: true, bom: true });
  const item = Object.fromEntries(lines.filter((l) => l.section === 'protocol').map((l) => [l.item, l.value]));
  expect(item).toMatchObject({ ballots: String(contest.ballots), ballots_online: String(contest.online), ballots_paper: String(contest.paper), turnout_voted: String(snapshot!.turnout.voted), snapshot_sha256: rows[0]!.snapshot_sha256 });
  expect(contest.ballots).toBe(4);
  const rating = lines.filter((l) => l.section === 'rating').map((l) => [Number(l.candidate_id), Number(l.votes), Number(l.place)]);
  expect(rating).toEqual(contest.candidates.filter((c) => c.rank !== null).sort((x, y) => x.rank! - y.rank! || x.ballotOrder - y.ballotOrder).map((c) => [c.id, c.votes, c.rank]));
  expect(rating.slice(0, 3).map(([, votes]) => votes)).toEqual([3, 2, 1]);
  expect(lines.filter((l) => l.section === 'party_list').map((l) => Number(l.candidate_id))).toEqual(contest.partyList!.entries.map((e) => e.id));
  const pdf = rows.find((r) => r.contest_id === contest.id && r.format === 'pdf')!;
  expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');

  // The results site's copy, byte for byte.
  const copy = await tr.redis.hgetBuffer(protocolKeys(tr.prefix).election(el.electionId), `${contest.id}.pdf`);
  expect(copy!.equals(pdf.content)).toBe(true);
  const events = (await listAuditEvents(tdb.db, 0, 1000)).filter((e) => e.action === 'election.protocols');
  expect(events).toHaveLength(1);
  expect(events[0]!.reason).toContain(`v${snapshot!.version}`);
});

it('keeps the protocols as they were through later rebuilds', async () => {
  const before = await stored();
  await tdb.db.insertInto('ballots').values({ contest_id: el.contests.national, marks: [el.candidates[el.contests.national]![3]!] }).execute();
  const { snapshot } = await rebuild();
  expect(snapshot!.final).toBe(true);
  const after = await stored();
  expect(after.map((r) => r.sha256)).toEqual(before.map((r) => r.sha256));
  expect((await listAuditEvents(tdb.db, 0, 1000)).filter((e) => e.action === 'election.protocols')).toHaveLength(1);
});
