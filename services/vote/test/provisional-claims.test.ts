import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { QUEUES, VOTE_BATCH_JOB, bullPrefix, jobId, voteBatchJobOptions } from '@primaries/queue';
import { claimContests, pendingClaimCount, readReceiptMarker, sweepStaleClaims, voteBacklogKey, votedKey } from '@primaries/redis-protocols';
import { waitFor } from '@primaries/testing';
import { hashReceipt, newReceipt } from '../src/voting/receipt';
import { type VotingHarness, tableCounts, votingHarness } from './voting-fixtures';

/**
 * Issue #8's vote-claim defect: POST /votes claims the contests in Redis, then (a batcher
 * tick later) queues the batch. A vote service killed in between left the claim without a
 * batch, and the voter, answered 503 by the gateway, was refused 409 "already voted" on
 * retrying although no ballot of theirs would ever be recorded. The claims here are made with
 * the protocol function (and the batch queued by hand), as the killed process left them.
 */

let h: VotingHarness;
beforeAll(async () => {
  h = await votingHarness('provisional');
});
afterAll(async () => {
  await h.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function post(token: string, selections: unknown) {
  return h.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ selections }) });
}

const ballotVoted = async (token: string) => ((await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: { authorization: `Bearer ${token}` } })).json().contests as Array<{ voted: boolean }>).map((c) => c.voted);
const receiptStatus = async (receipt: string) => (await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${receipt}` })).json().status as string;
const backlog = async () => Number(await h.tr.redis.get(voteBacklogKey(h.tr.prefix)));
const participationOf = async (member: string) => (await h.tdb.db.selectFrom('participation').select('contest_id').where('member_id', '=', member).execute()).length;

/** A voter with a claim left as a vote service killed after claiming leaves it; `queued`: killed after the add, before the confirmation. */
async function killedMidVote(r: number, d: number, queued: boolean) {
  const member = await h.addMember(r, d);
  const token = await h.token(member);
  const contests = h.contestsOf(r, d);
  const selections = contests.map((id) => ({ contestId: id, candidateIds: [h.el.candidates[id]![0]!] }));
  const receipts = contests.map(() => newReceipt());
  const claim = { electionId: h.el.electionId, memberId: member, contestIds: contests, receiptHashes: receipts.map((x) => x.hash) };
  expect(await claimContests(h.tr.redis, h.tr.prefix, claim)).toBeNull();
  if (queued) {
    const votes = contests.map((contestId, i) => {
      const receiptHash = receipts[i]!.hash;
      return { memberId: member, contestId, receiptHash, sealed: h.app.ballotSealer.seal({ contestId, marks: [h.el.candidates[contestId]![0]!], receiptHash }, 2) };
    });
    const batchId = randomUUID();
    await h.votesQueue().add(VOTE_BATCH_JOB, { batchId, votes }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
  }
  return { member, token, selections, receipts: receipts.map((x) => x.receipt) };
}

it('a claim whose batch was never queued: the retry is told to come back (503), then, swept, gets its 202 and is recorded once', async () => {
  const before = await tableCounts(h);
  const backlogBefore = await backlog();
  const v = await killedMidVote(0, 0, false);
  expect(await backlog()).toBe(backlogBefore + 3);
  // Past the batcher's tick: no request is on its way to queue this claim.
  await sleep(700);

  // The ballot does not call them voted (the voter site would not send them again).
  expect((await ballotVoted(v.token)).some(Boolean)).toBe(false);
  const retry = await post(v.token, v.selections);
  // Before the fix: 409 VOTE_ERR_ALREADY_VOTED, and no ballot of this voter ever recorded.
  expect({ status: retry.statusCode, code: retry.json().error?.code }).toEqual({ status: 503, code: 'VOTE_ERR_UNAVAILABLE' });
  // Until the claim is surely swept: VOTE_CLAIM_TIMEOUT_SECONDS (60) and a sweep interval (15).
  expect(Number(retry.headers['retry-after'])).toBeGreaterThanOrEqual(60);
  expect(Number(retry.headers['retry-after'])).toBeLessThanOrEqual(75);

  // Not yet old enough for the sweep: nothing released.
  expect(await sweepStaleClaims(h.tr.redis, h.tr.prefix, 60_000)).toBe(0);
  expect(await sweepStaleClaims(h.tr.redis, h.tr.prefix, 500)).toBe(3);
  expect(await h.tr.redis.scard(votedKey(h.tr.prefix, h.el.electionId, v.member))).toBe(0);
  expect(await backlog()).toBe(backlogBefore);
  expect(await pendingClaimCount(h.tr.redis, h.tr.prefix)).toBe(0);

  const again = await post(v.token, v.selections);
  expect(again.statusCode).toBe(202);
  // Confirmed with its batch: a double vote is a plain 409 again, even past the sweep's age.
  expect(await pendingClaimCount(h.tr.redis, h.tr.prefix)).toBe(0);
  await sleep(600);
  expect(await ballotVoted(v.token)).toEqual([true, true, true]);
  expect((await post(v.token, v.selections)).statusCode).toBe(409);
  expect(await sweepStaleClaims(h.tr.redis, h.tr.prefix, 0)).toBe(0);

  const worker = await h.startWorker();
  const receipts = (again.json() as { receipts: Array<{ receipt: string }> }).receipts.map((r) => r.receipt);
  await waitFor(async () => (await Promise.all(receipts.map(receiptStatus))).every((s) => s === 'recorded'), { timeoutMs: 30_000, message: 'receipts recorded' });
  await worker.close();
  expect(await tableCounts(h)).toEqual({ ballots: before.ballots + 3, participation: before.participation + 3 });
  expect(await backlog()).toBe(backlogBefore);
});

it('killed after queueing, before confirming: the worker recorded it first, so the sweep keeps the claim (the retry is 409, and the vote counts once)', async () => {
  const before = await tableCounts(h);
  const v = await killedMidVote(1, 0, true);
  const worker = await h.startWorker();
  await waitFor(async () => (await participationOf(v.member)) === 3, { timeoutMs: 30_000, message: 'recorded' });
  await waitFor(async () => (await readReceiptMarker(h.tr.redis, h.tr.prefix, hashReceipt(v.receipts[0]!))) === null, { timeoutMs: 30_000, message: 'markers settled' });
  await worker.close();
  expect(await sweepStaleClaims(h.tr.redis, h.tr.prefix, 0)).toBe(0);
  expect(await pendingClaimCount(h.tr.redis, h.tr.prefix)).toBe(0);
  const retry = await post(v.token, v.selections);
  expect({ status: retry.statusCode, code: retry.json().error?.code }).toEqual({ status: 409, code: 'VOTE_ERR_ALREADY_VOTED' });
  expect(await tableCounts(h)).toEqual({ ballots: before.ballots + 3, participation: before.participation + 3 });
});

it('killed after queueing, swept before the worker ran: the voter votes again, Postgres keeps one ballot, the second is refused (not dead-lettered)', async () => {
  const before = await tableCounts(h);
  const v = await killedMidVote(1, 1, true);
  expect(await sweepStaleClaims(h.tr.redis, h.tr.prefix, 0)).toBe(3);
  const again = await post(v.token, v.selections);
  expect(again.statusCode).toBe(202);
  const second = (again.json() as { receipts: Array<{ receipt: string }> }).receipts.map((r) => r.receipt);

  const worker = await h.startWorker();
  // The two batches may be recorded in either order (the worker runs batches concurrently):
  // one submission is recorded whole, the other refused whole.
  const statuses = async () => [(await Promise.all(v.receipts.map(receiptStatus))).join(), (await Promise.all(second.map(receiptStatus))).join()].sort();
  // (The first's markers went with the sweep: its receipts answer 404 until the worker has it.)
  await waitFor(async () => (await statuses()).every((x) => /^(recorded|rejected)(,(recorded|rejected)){2}$/.test(x)), { timeoutMs: 30_000, message: 'both submissions settled' });
  expect(await statuses()).toEqual(['recorded,recorded,recorded', 'rejected,rejected,rejected']);
  await worker.close();
  expect(await tableCounts(h)).toEqual({ ballots: before.ballots + 3, participation: before.participation + 3 });
  const dead = new Queue(QUEUES.votesDead, { connection: h.tr.redis, prefix: bullPrefix(h.tr.prefix) });
  expect(await dead.getJobCounts('waiting', 'delayed', 'failed', 'completed')).toEqual({ waiting: 0, delayed: 0, failed: 0, completed: 0 });
  await dead.close();
  // Still voted (the recorded ballot): a third try is refused.
  expect((await post(v.token, v.selections)).statusCode).toBe(409);
});

it('competing sweeps release each stale claim once', async () => {
  const backlogBefore = await backlog();
  const voters = [];
  for (let i = 0; i < 12; i++) voters.push(await killedMidVote(i % 2, (i >> 1) % 2, false));
  expect(await backlog()).toBe(backlogBefore + 36);
  const released = await Promise.all([1, 2, 3, 4].map(() => sweepStaleClaims(h.tr.redis, h.tr.prefix, 0)));
  expect(released.reduce((a, b) => a + b, 0)).toBe(36);
  expect(await backlog()).toBe(backlogBefore);
  for (const v of voters) {
    expect(await h.tr.redis.scard(votedKey(h.tr.prefix, h.el.electionId, v.member))).toBe(0);
    // Its receipt was never handed out; its marker is gone.
    expect((await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${v.receipts[0]!}` })).statusCode).toBe(404);
  }
  expect(await h.tr.redis.keys(`${h.tr.prefix}:votes:claim*`)).toEqual([]);
});
