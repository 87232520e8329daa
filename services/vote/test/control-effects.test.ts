import { Queue } from 'bullmq';
import { addStaffAccount, blockMember, markCandidateRemoved, recordDecision } from '@primaries/db';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { BLOCKS_SEEDED, addBlock, announceElectionChange, blockedKey } from '@primaries/redis-protocols';
import { readComplaintState } from '@primaries/complaints';
import { type VotingHarness, votingHarness } from './voting-fixtures';
import { b64, png, zip } from '@primaries/testing';

/** Issue #14 on the vote path: blocks (open sessions included, Redis losing the set), removals at once, complaints. */
let h: VotingHarness;
let staffId: number;
beforeAll(async () => {
  h = await votingHarness('vote_control');
  staffId = (await addStaffAccount(h.tdb.db, { role: 'control', ttlSeconds: 60, actor: { role: 'operator', id: 'cli' } })).staff.id;
});
afterAll(async () => h.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const vote = (token: string, selections: unknown) => h.app.inject({ method: 'POST', url: '/api/v1/votes', headers: auth(token), payload: { selections } });
const ballot = (token: string) => h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) });

/** What the console's decision does: the row in Postgres and the member in the Redis set, before the commit. */
async function block(memberId: string): Promise<void> {
  await h.tdb.db.transaction().execute(async (trx) => {
    const d = await recordDecision(trx, { electionId: h.el.electionId, complaintId: null, kind: 'block_member', memberId, text: 'Collected colleagues\' SMS codes.', decidedBy: staffId });
    await blockMember(trx, h.el.electionId, memberId, d.id);
    await addBlock(h.tr.redis, h.tr.prefix, h.el.electionId, memberId);
  });
}

it("refuses a blocked member's already open session: ballot and vote, nothing claimed", async () => {
  const member = await h.addMember(0, 0);
  const token = await h.token(member);
  expect((await ballot(token)).statusCode).toBe(200);
  await block(member);
  const national = h.el.contests.national;
  const res = await vote(token, [{ contestId: national, candidateIds: [h.el.candidates[national]![0]] }]);
  expect([res.statusCode, res.json().error.code]).toEqual([403, 'VOTE_ERR_MEMBER_BLOCKED']);
  const b = await ballot(token);
  expect([b.statusCode, b.json().error.code]).toEqual([403, 'VOTE_ERR_MEMBER_BLOCKED']);
  expect(await h.tr.redis.exists(`${h.tr.prefix}:voted:${h.el.electionId}:${member}`)).toBe(0);
});

it('holds the block when Redis loses the set: the vote path seeds it again from Postgres', async () => {
  const blocked = await h.addMember(1, 0);
  const clear = await h.addMember(1, 1);
  const [tb, tc] = [await h.token(blocked), await h.token(clear)];
  await block(blocked);
  await h.tr.redis.del(blockedKey(h.tr.prefix, h.el.electionId)); // as after a Redis restart without its data
  const national = h.el.contests.national;
  const sel = [{ contestId: national, candidateIds: [h.el.candidates[national]![2]] }];
  const refused = await vote(tb, sel);
  expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'VOTE_ERR_MEMBER_BLOCKED']);
  expect(await h.tr.redis.sismember(blockedKey(h.tr.prefix, h.el.electionId), BLOCKS_SEEDED)).toBe(1);
  await h.tr.redis.del(blockedKey(h.tr.prefix, h.el.electionId));
  expect((await vote(tc, sel)).statusCode).toBe(202);
});

it('takes a removed candidate off the ballot at once (pub/sub, not the cache TTL) and refuses a ballot marking them', async () => {
  const token = await h.token(await h.addMember(0, 1));
  const contest = h.el.contests.region[0]!;
  const removed = h.el.candidates[contest]![3]!;
  const shown = async () => ((await ballot(token)).json().contests as Array<{ id: number; candidates: Array<{ id: number }> }>).find((c) => c.id === contest)!.candidates.map((c) => c.id);
  expect(await shown()).toContain(removed); // cached now
  await h.tdb.db.transaction().execute((trx) => markCandidateRemoved(trx, removed, 'skipped_debates'));
  await announceElectionChange(h.tr.redis, h.tr.prefix, h.el.electionId);
  const started = Date.now();
  while ((await shown()).includes(removed) && Date.now() - started < 2000) await new Promise((r) => setTimeout(r, 20));
  expect(await shown()).not.toContain(removed);
  expect(Date.now() - started).toBeLessThan(2000); // the cache keeps lists 5 s: only the message explains this
  const res = await vote(token, [{ contestId: contest, candidateIds: [removed] }]);
  expect([res.statusCode, res.json().error.code]).toEqual([422, 'VOTE_ERR_CANDIDATE_REMOVED']);
});

describe('POST /api/v1/complaints (a signed-in member)', () => {
  let queue: Queue;
  beforeAll(() => {
    queue = new Queue(QUEUES.complaints, { connection: h.tr.redis, prefix: bullPrefix(h.tr.prefix) });
  });
  afterAll(async () => queue.close());
  const file = (token: string, evidence: unknown[]) =>
    h.app.inject({ method: 'POST', url: '/api/v1/complaints', headers: auth(token), payload: { subject: { kind: 'process' }, category: 'coercion', text: 'My employer asked all of us for our SMS codes.', evidence } });

  it('queues the complaint with its checked evidence and answers a tracking number', async () => {
    const token = await h.token(await h.addMember(0, 0));
    const res = await file(token, [{ name: 'screen.png', data: b64(png()) }]);
    expect(res.statusCode).toBe(201);
    const { tracking } = res.json();
    const job = await queue.getJob(tracking);
    expect(job?.data).toMatchObject({ tracking, source: 'member', electionId: h.el.electionId, evidence: [{ name: 'screen.png', mediaType: 'image/png' }] });
    expect((await readComplaintState(h.tr.redis, h.tr.prefix, tracking))?.state).toBe('received');
  });

  it('refuses a zip bomb named .png and queues nothing', async () => {
    const token = await h.token(await h.addMember(1, 1));
    const before = await queue.count();
    const res = await file(token, [{ name: 'photo.png', data: b64(zip()) }]);
    expect([res.statusCode, res.json().error.code]).toEqual([422, 'VOTE_ERR_EVIDENCE_BOMB']);
    expect(await queue.count()).toBe(before);
  });

  it('needs a session', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/complaints', payload: { subject: { kind: 'process' }, category: 'other', text: 'Nobody signed in wrote this.' } });
    expect(res.statusCode).toBe(401);
  });
});
