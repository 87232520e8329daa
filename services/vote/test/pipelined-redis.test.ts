import { waitFor } from '@primaries/testing';
import { buildVoteApp } from '../src/app';
import { type VotingHarness, tableCounts, votingHarness } from './voting-fixtures';

/**
 * The vote app as production builds it: its own request-path Redis client with
 * auto-pipelining (redisOptions('request')), so the token lookups and pre-check claims of
 * concurrent requests share socket writes. Racing bodies must still be all-or-none.
 */
let h: VotingHarness;
let app: Awaited<ReturnType<typeof buildVoteApp>>;
beforeAll(async () => {
  h = await votingHarness('pipelined');
  app = await buildVoteApp(h.config, { db: h.tdb.db });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await h.close();
});

const post = (token: string, selections: unknown) =>
  app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify({ selections }) });

it('uses an auto-pipelining client', () => {
  expect(app.redis.options.enableAutoPipelining).toBe(true);
});

it('accepts exactly one of two racing ballots per voter, refuses the other, and records each once', async () => {
  const voters = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const r = i % 2;
      const d = Math.floor(i / 2) % 2;
      const member = await h.addMember(r, d);
      const token = await h.token(member);
      const ballot = (await app.inject({ method: 'GET', url: '/api/v1/ballot', headers: { authorization: `Bearer ${token}` } })).json();
      const selections = (ballot.contests as Array<{ id: number; candidates: Array<{ id: number }> }>).map((c) => ({ contestId: c.id, candidateIds: [c.candidates[0]!.id] }));
      return { token, selections };
    }),
  );
  const before = await tableCounts(h);

  // Both bodies of every voter, plus unknown tokens, in flight at once.
  const answers = await Promise.all([
    ...voters.flatMap((v) => [post(v.token, v.selections), post(v.token, v.selections)]),
    ...Array.from({ length: 5 }, () => post('x'.repeat(43), voters[0]!.selections)),
  ]);
  const perVoter = voters.map((_, i) => [answers[2 * i]!, answers[2 * i + 1]!]);
  for (const pair of perVoter) {
    expect(pair.map((a) => a.statusCode).sort()).toEqual([202, 409]);
    expect(pair.find((a) => a.statusCode === 409)!.json().error.code).toBe('VOTE_ERR_ALREADY_VOTED');
  }
  for (const a of answers.slice(2 * voters.length)) {
    expect(a.statusCode).toBe(401);
    expect(a.json().error.code).toBe('VOTE_ERR_UNAUTHORIZED');
  }

  // One receipt per contest ballot, all distinct.
  const receipts = perVoter.flatMap((pair) => (pair.find((a) => a.statusCode === 202)!.json().receipts as Array<{ receipt: string }>).map((r) => r.receipt));
  expect(new Set(receipts).size).toBe(voters.length * 3);
  await h.startWorker();
  const expected = voters.length * 3;
  await waitFor(async () => (await tableCounts(h)).ballots - before.ballots === expected, { message: 'ballots recorded' });
  const after = await tableCounts(h);
  expect(after.participation - before.participation).toBe(expected);
  for (const receipt of receipts) {
    expect((await app.inject({ method: 'GET', url: `/api/v1/receipts/${receipt}` })).json()).toEqual({ status: 'recorded' });
  }
});
