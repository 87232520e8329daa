import { readFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@primaries/testing';
import { VoteErrors } from '../src/errors';
import { bullPrefix } from '@primaries/queue';
import { voteBacklogKey, votedKey } from '@primaries/redis-protocols';
import { BallotSealer } from '@primaries/sealing';
import { type VotingHarness, tableCounts, votingHarness } from './voting-fixtures';

let h: VotingHarness;
beforeAll(async () => {
  h = await votingHarness('votes');
});
afterAll(async () => {
  await h.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function post(token: string | null, payload: unknown) {
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/votes',
    headers: { ...(token ? auth(token) : {}), 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
}

/** Redis keys a refused request might have left: pre-check sets, receipt markers, jobs. */
async function leftovers(memberId: string): Promise<{ voted: number; receipts: number; jobs: number }> {
  const voted = await h.tr.redis.scard(votedKey(h.tr.prefix, h.el.electionId, memberId));
  const receipts = (await h.tr.redis.keys(`${h.tr.prefix}:receipt:*`)).length;
  const jobs = (await h.tr.redis.keys(`${bullPrefix(h.tr.prefix)}:votes:votes-*`)).length;
  return { voted, receipts, jobs };
}

describe('POST /api/v1/votes', () => {
  it('queues a whole ballot, answers 202 with a receipt per contest, and the worker records it', async () => {
    const member = await h.addMember(0, 0);
    const token = await h.token(member);
    const ballot = await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) });
    expect(ballot.statusCode).toBe(200);
    const contests = ballot.json().contests as Array<{ id: number; candidates: Array<{ id: number }> }>;
    expect(contests.map((c) => c.id)).toEqual(h.contestsOf(0, 0));
    const selections = contests.map((c) => ({ contestId: c.id, candidateIds: [c.candidates[1]!.id, c.candidates[0]!.id] }));

    const res = await post(token, { selections });
    expect(res.statusCode).toBe(202);
    const { receipts, status } = res.json() as { receipts: Array<{ contestId: number; receipt: string }>; status: string };
    expect(status).toBe('queued');
    expect(receipts.map((r) => r.contestId)).toEqual(selections.map((s) => s.contestId));
    for (const { receipt } of receipts) {
      expect(receipt).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect((await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${receipt}` })).json()).toEqual({ status: 'queued' });
    }
    const receipt = receipts[0]!.receipt;
    expect(Number(await h.tr.redis.get(voteBacklogKey(h.tr.prefix)))).toBe(3);

    // A second body for the same contests is refused at once, before the worker ran.
    const again = await post(token, { selections: selections.slice(0, 1) });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('VOTE_ERR_ALREADY_VOTED');

    const worker = await h.startWorker();
    await waitFor(async () => (await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${receipt}` })).json().status === 'recorded', { message: 'receipt recorded' });
    await worker.close();

    // Recorded sealed (released later, in groups of K): opened here with the key, as the release does.
    const sealer = new BallotSealer(h.config.BALLOT_KEYS);
    const ballots = (await h.tdb.db.selectFrom('sealed_ballots').selectAll().execute()).map((s) => sealer.openRow(s.contest_id, { keyId: s.key_id, sealed: s.sealed }));
    expect(ballots).toHaveLength(3);
    // Marks are stored sorted, whatever order the voter sent them in.
    for (const b of ballots) expect(b.marks).toEqual([...b.marks].sort((x, y) => x - y));
    expect(ballots.map((b) => b.marks.length)).toEqual([2, 2, 2]);
    const participation = await h.tdb.db.selectFrom('participation').selectAll().where('member_id', '=', member).execute();
    expect(participation.map((p) => p.contest_id).sort()).toEqual([...h.contestsOf(0, 0)].sort());
    expect(participation.every((p) => p.channel === 'online')).toBe(true);
    expect(Number(await h.tr.redis.get(voteBacklogKey(h.tr.prefix)))).toBe(0);
    // Nothing of the batch (member + marks) is left in Redis.
    expect(await h.tr.redis.keys(`${bullPrefix(h.tr.prefix)}:votes:votes-*`)).toEqual([]);

    const after = await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(token) });
    expect((after.json().contests as Array<{ voted: boolean }>).every((c) => c.voted)).toBe(true);
  });

  it('50 identical submissions at once: one 202, 49 × 409, one ballot per contest', async () => {
    const before = await tableCounts(h);
    const member = await h.addMember(1, 1);
    const token = await h.token(member);
    const selections = h.contestsOf(1, 1).map((id) => ({ contestId: id, candidateIds: [h.el.candidates[id]![2]!] }));
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(token, { selections })));
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes.filter((c) => c === 202)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(49);
    const worker = await h.startWorker();
    await waitFor(async () => (await tableCounts(h)).ballots === before.ballots + 3, { message: 'ballots recorded' });
    await new Promise((r) => setTimeout(r, 300));
    await worker.close();
    expect(await tableCounts(h)).toEqual({ ballots: before.ballots + 3, participation: before.participation + 3 });
  });

  describe('refusals write nothing', () => {
    let member: string;
    let token: string;
    const [r, d] = [0, 1];
    beforeAll(async () => {
      member = await h.addMember(r, d);
      token = await h.token(member);
    });
    const mine = () => h.contestsOf(r, d);
    const cands = (contest: number) => h.el.candidates[contest]!;

    const cases: Array<[string, number, string, () => unknown]> = [
      ['too many marks', 422, 'VOTE_ERR_TOO_MANY_MARKS', () => ({ selections: [{ contestId: mine()[0], candidateIds: cands(mine()[0]!).slice(0, 3) }] })],
      ['a duplicate mark', 422, 'VOTE_ERR_DUPLICATE_MARK', () => ({ selections: [{ contestId: mine()[0], candidateIds: [cands(mine()[0]!)[0], cands(mine()[0]!)[0]] }] })],
      ["someone else's contest", 422, 'VOTE_ERR_NOT_YOUR_CONTEST', () => ({ selections: [{ contestId: h.el.contests.region[1], candidateIds: [cands(h.el.contests.region[1]!)[0]] }] })],
      ['an unknown contest', 422, 'VOTE_ERR_NOT_YOUR_CONTEST', () => ({ selections: [{ contestId: 987654, candidateIds: [1] }] })],
      ['a candidate of another contest', 422, 'VOTE_ERR_UNKNOWN_CANDIDATE', () => ({ selections: [{ contestId: mine()[0], candidateIds: [cands(mine()[1]!)[0]] }] })],
      ['the same contest twice', 422, 'VOTE_ERR_DUPLICATE_CONTEST', () => ({ selections: [{ contestId: mine()[0], candidateIds: [cands(mine()[0]!)[0]] }, { contestId: mine()[0], candidateIds: [cands(mine()[0]!)[1]] }] })],
      // One bad contest sinks the whole body: the good first selection is not kept either.
      ['a good contest then a bad one', 422, 'VOTE_ERR_TOO_MANY_MARKS', () => ({ selections: [{ contestId: mine()[0], candidateIds: [cands(mine()[0]!)[0]] }, { contestId: mine()[1], candidateIds: cands(mine()[1]!).slice(0, 3) }] })],
      ['no selections', 400, 'VOTE_ERR_VALIDATION', () => ({ selections: [] })],
      ['no marks', 400, 'VOTE_ERR_VALIDATION', () => ({ selections: [{ contestId: mine()[0], candidateIds: [] }] })],
      ['string ids', 400, 'VOTE_ERR_VALIDATION', () => ({ selections: [{ contestId: String(mine()[0]), candidateIds: ['1'] }] })],
      ['an extra field', 400, 'VOTE_ERR_VALIDATION', () => ({ selections: [{ contestId: mine()[0], candidateIds: [cands(mine()[0]!)[0]], memberId: 1 }] })],
      ['a body that is not JSON', 400, 'VOTE_ERR_VALIDATION', () => '{"selections": ['],
      ['a missing body', 400, 'VOTE_ERR_VALIDATION', () => ''],
    ];
    it.each(cases)('%s → %i %s', async (_name, status, code, body) => {
      const before = await tableCounts(h);
      const res = await post(token, body());
      expect(res.statusCode).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(await tableCounts(h)).toEqual(before);
      expect(await leftovers(member)).toEqual({ voted: 0, receipts: 0, jobs: 0 });
    });

    it.each([
      ['missing', null],
      ['invalid', 'x'.repeat(43)],
    ])('a %s token → 401 VOTE_ERR_UNAUTHORIZED', async (_name, t) => {
      const res = await post(t, { selections: [{ contestId: mine()[0], candidateIds: [cands(mine()[0]!)[0]] }] });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('VOTE_ERR_UNAUTHORIZED');
      expect(await leftovers(member)).toEqual({ voted: 0, receipts: 0, jobs: 0 });
    });

    it('a failed queue add undoes the pre-check (503 + Retry-After), and the voter can retry', async () => {
      const waitKey = `${bullPrefix(h.tr.prefix)}:votes:wait`;
      // A real Redis error inside BullMQ's add script: its wait list is the wrong type.
      await h.tr.redis.set(waitKey, 'broken');
      const body = { selections: [{ contestId: mine()[0], candidateIds: [cands(mine()[0]!)[0]] }] };
      const res = await post(token, body);
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('VOTE_ERR_UNAVAILABLE');
      expect(res.headers['retry-after']).toBeDefined();
      const left = await leftovers(member);
      expect(left.voted).toBe(0);
      expect(left.receipts).toBe(0);
      // BullMQ's half-written job hash from the failed script: not ours to keep.
      for (const k of await h.tr.redis.keys(`${bullPrefix(h.tr.prefix)}:votes:votes-*`)) await h.tr.redis.del(k);
      await h.tr.redis.del(waitKey);
      const retry = await post(token, body);
      expect(retry.statusCode).toBe(202);
    });
  });
});

describe('backlog shedding', () => {
  let small: VotingHarness;
  beforeAll(async () => {
    small = await votingHarness('backlog', { VOTE_BACKLOG_LIMIT: '3' });
  });
  afterAll(async () => {
    await small.close();
  });

  it('answers 503 + Retry-After once the queued votes pass VOTE_BACKLOG_LIMIT, claiming nothing', async () => {
    const a = await small.addMember(0, 0);
    const b = await small.addMember(0, 0);
    const sel = small.contestsOf(0, 0).map((id) => ({ contestId: id, candidateIds: [small.el.candidates[id]![0]!] }));
    const first = await small.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${await small.token(a)}` }, payload: { selections: sel } });
    expect(first.statusCode).toBe(202);
    const res = await small.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${await small.token(b)}` }, payload: { selections: sel } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('VOTE_ERR_UNAVAILABLE');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await small.tr.redis.scard(votedKey(small.tr.prefix, small.el.electionId, b))).toBe(0);

    // The worker drains the backlog; the instance sees it within its refresh period.
    const worker = await small.startWorker();
    await waitFor(async () => Number(await small.tr.redis.get(voteBacklogKey(small.tr.prefix))) === 0, { message: 'backlog drained' });
    await worker.close();
    await new Promise((r) => setTimeout(r, 400));
    const retry = await small.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${await small.token(b)}` }, payload: { selections: sel } });
    expect(retry.statusCode).toBe(202);
  });
});

describe('docs', () => {
  it('docs/api.md lists every error code of casting votes', () => {
    const doc = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
    const ours = ['WINDOW_CLOSED', 'NOT_ELIGIBLE', 'NOT_YOUR_CONTEST', 'DUPLICATE_CONTEST', 'UNKNOWN_CANDIDATE', 'CANDIDATE_REMOVED', 'TOO_MANY_MARKS', 'DUPLICATE_MARK', 'ALREADY_VOTED', 'RECEIPT_UNKNOWN', 'UNAVAILABLE', 'UNAUTHORIZED'] as const;
    for (const k of ours) expect(doc).toContain(`\`${new VoteErrors[k]().code}\``);
    expect(doc).toContain('`VOTE_ERR_VALIDATION`');
  });

  it('/metrics shows the batch sizes and the backlog', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/vote_batch_size_count\{[^}]*\} [1-9]/);
    expect(res.body).toContain('votes_backlog');
    expect(res.body).toMatch(/votes_accepted_total\{[^}]*\} [1-9]/);
  });
});
