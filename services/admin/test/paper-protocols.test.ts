import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { waitFor } from '@primaries/testing';
import { type VotingHarness, votingHarness } from '@primaries/vote/testing';
import { type Client, type Harness, enrolStaff, signIn } from './harness';
import { addPaperMember, addStation, adminOn, listAt } from './paper-fixtures';

/**
 * Precinct protocols (issue #15): control relations, two matching entries by two accounts,
 * return with a reason, the scan, and acceptance feeding the tally beside online votes
 * (a fixture computed by hand).
 */
let v: VotingHarness;
let admin: Harness;
let a: Client;
let b: Client;
let organizer: Client;
let station: number;
let N: number;
let cand: number[];

beforeAll(async () => {
  v = await votingHarness('admin_paper_protocols', { BALLOT_RELEASE_MIN: '1', BALLOT_RELEASE_RESERVE: '0' });
  admin = await adminOn(v);
  station = await addStation(v.tdb.db, v.el, 'PS-P', 0, 0);
  a = await signIn(admin, await enrolStaff(admin, 'precinct', { stationId: station }));
  b = await signIn(admin, await enrolStaff(admin, 'precinct', { stationId: station }));
  organizer = await signIn(admin, await enrolStaff(admin, 'organizer'));
  N = v.el.contests.national;
  cand = v.el.candidates[N]!;
  await v.startWorker();
});
afterAll(async () => {
  await admin.close();
  await v.close();
});

const protocol = (votes: number[], over: Partial<{ received: number; issued: number; found: number; spoiled: number }> = {}) => ({
  contestId: N,
  received: 10,
  issued: 3,
  found: 3,
  spoiled: 0,
  ...over,
  votes: cand.map((id, i) => ({ candidateId: id, votes: votes[i] ?? 0 })),
});
const PAPER = [1, 2, 0, 1];

async function closeStation(): Promise<void> {
  await v.tdb.db.updateTable('polling_stations').set({ opens_at: new Date(Date.now() - 7200_000), closes_at: new Date(Date.now() - 1000) }).where('id', '=', station).execute();
}

it('walks a protocol from check-ins to the tally', async () => {
  // Three paper voters, checked in and handed their ballots while the station is open.
  const members = [await addPaperMember(v.tdb.db, v.el, 0, 0), await addPaperMember(v.tdb.db, v.el, 0, 0), await addPaperMember(v.tdb.db, v.el, 0, 0)];
  await listAt(v.tdb.db, v.el, station, members.map((m) => m.id));
  for (const m of members) {
    const c = await a.post('/api/v1/paper/checkins', { iin: m.iin });
    expect(c.statusCode).toBe(201);
    expect((await a.post(`/api/v1/paper/checkins/${c.json().checkinId}/hand-over`)).statusCode).toBe(200);
  }
  expect((await a.post('/api/v1/paper/protocols/entries', protocol(PAPER))).json().error.code).toBe('ADMIN_ERR_STATION_NOT_CLOSED');
  await closeStation();

  // Control relations: every problem listed.
  const bad = await a.post('/api/v1/paper/protocols/entries', protocol([4, 4, 0, 0], { received: 2, issued: 4, found: 5, spoiled: 6 }));
  expect(bad.statusCode).toBe(422);
  expect(bad.json().error.code).toBe('ADMIN_ERR_PROTOCOL_INVALID');
  expect(bad.json().error.problems.map((p: { code: string }) => p.code)).toEqual(['ISSUED_OVER_RECEIVED', 'FOUND_OVER_ISSUED', 'SPOILED_OVER_FOUND', 'VOTES_OVER_LIMIT', 'ISSUED_NOT_CHECKINS']);
  // Issued must equal the check-ins (3); votes at most (found − spoiled) × 2.
  expect((await a.post('/api/v1/paper/protocols/entries', protocol(PAPER, { issued: 2, found: 1 }))).json().error.problems).toEqual([{ code: 'VOTES_OVER_LIMIT', limit: 2 }, { code: 'ISSUED_NOT_CHECKINS', checkins: 3 }]);

  // Two entries by two accounts, matching.
  expect((await a.post('/api/v1/paper/protocols/entries', protocol(PAPER))).json()).toEqual({ entries: 1, matching: false });
  expect((await a.post('/api/v1/paper/protocols/submit', { contestId: N })).json().error.code).toBe('ADMIN_ERR_ENTRIES_MISSING');
  // The same account again is still one account.
  expect((await a.post('/api/v1/paper/protocols/entries', protocol(PAPER))).json()).toEqual({ entries: 1, matching: false });
  expect((await b.post('/api/v1/paper/protocols/entries', protocol([2, 1, 0, 1]))).json()).toEqual({ entries: 2, matching: false });
  expect((await b.post('/api/v1/paper/protocols/submit', { contestId: N })).json().error.code).toBe('ADMIN_ERR_ENTRIES_DIFFER');
  expect((await b.post('/api/v1/paper/protocols/entries', protocol(PAPER))).json()).toEqual({ entries: 2, matching: true });
  const first = await b.post('/api/v1/paper/protocols/submit', { contestId: N });
  expect(first.statusCode).toBe(200);
  const id = first.json().protocolId as number;
  expect((await a.post('/api/v1/paper/protocols/entries', protocol(PAPER))).json().error.code).toBe('ADMIN_ERR_PROTOCOL_STATE');

  // Returned with a reason: the entries start again.
  expect((await a.post(`/api/v1/paper/protocols/${id}/return`, { reason: 'not my role' })).statusCode).toBe(403);
  expect((await organizer.post(`/api/v1/paper/protocols/${id}/return`, { reason: 'signature missing' })).statusCode).toBe(200);
  const mine = (await a.get('/api/v1/paper/station/protocols')).json().protocols.find((p: { contestId: number }) => p.contestId === N);
  expect(mine).toMatchObject({ status: 'rejected', returnReason: 'signature missing', entries: 0, checkins: 3 });
  await a.post('/api/v1/paper/protocols/entries', protocol(PAPER));
  await b.post('/api/v1/paper/protocols/entries', protocol(PAPER));
  expect((await a.post('/api/v1/paper/protocols/submit', { contestId: N })).json().protocolId).toBe(id);

  // The scan: type by content, SHA-256 kept.
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png')]);
  const scan = await a.post('/api/v1/paper/protocols/scan', { contestId: N, content: png.toString('base64') });
  expect(scan.json()).toEqual({ sha256: createHash('sha256').update(png).digest('hex'), mediaType: 'image/png' });
  const notScan = await a.post('/api/v1/paper/protocols/scan', { contestId: N, content: Buffer.from('%PNG but not really').toString('base64') });
  expect([notScan.statusCode, notScan.json().error.code]).toEqual([415, 'ADMIN_ERR_SCAN_TYPE']);

  // Online votes beside it: N marks c0 ×2, c1 ×1, c2 ×1 over three ballots.
  const online = [[cand[0]!], [cand[0]!, cand[1]!], [cand[2]!]];
  for (const marks of online) {
    const id = await v.addMember(0, 0);
    const selections = [{ contestId: N, candidateIds: marks }];
    expect((await v.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${await v.token(id)}` }, payload: { selections } })).statusCode).toBe(202);
  }
  await waitFor(async () => Number((await v.tdb.db.selectFrom('participation').select((e) => e.fn.countAll<string>().as('n')).where('channel', '=', 'online').executeTakeFirstOrThrow()).n) === 3, { message: 'online votes recorded' });

  const before = await v.rebuild();
  expect(before!.contests.find((c) => c.id === N)).toMatchObject({ ballots: 3, online: 3, paper: 0 });

  // Accepted: a rebuild is queued, and the tally adds the protocol.
  const tallies = new Queue(QUEUES.tallies, { connection: v.tr.redis, prefix: bullPrefix(v.tr.prefix) });
  const accepted = await organizer.post(`/api/v1/paper/protocols/${id}/accept`);
  expect(accepted.statusCode).toBe(200);
  expect((await tallies.getJobCounts('waiting', 'prioritized', 'delayed', 'active')).waiting).toBeGreaterThanOrEqual(1);
  await tallies.close();
  expect((await organizer.post(`/api/v1/paper/protocols/${id}/accept`)).json().error.code).toBe('ADMIN_ERR_PROTOCOL_STATE');

  const after = await v.rebuild();
  const n = after!.contests.find((c) => c.id === N)!;
  expect({ ballots: n.ballots, online: n.online, paper: n.paper }).toEqual({ ballots: 6, online: 3, paper: 3 });
  const byId = new Map(n.candidates.map((c) => [c.id, c]));
  expect(cand.map((c) => [byId.get(c)!.online, byId.get(c)!.paper, byId.get(c)!.votes])).toEqual([[2, 1, 3], [1, 2, 3], [1, 0, 1], [0, 1, 1]]);
  expect(after!.paper).toEqual({ stations: 1, protocolsExpected: 3, protocolsAccepted: 1 });

  // Everything in the trail.
  const actions = (await v.tdb.db.selectFrom('audit_events').select('action').where('action', 'like', 'paper.%').orderBy('seq').execute()).map((e) => e.action);
  expect(new Set(actions)).toEqual(new Set(['paper.checked-in', 'paper.handed-over', 'paper.protocol-entered', 'paper.protocol-submitted', 'paper.protocol-returned', 'paper.scan-attached', 'paper.protocol-accepted']));
});
