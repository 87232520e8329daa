import { buildVoteApp } from '../src/app';
import { type VotingHarness, votingHarness } from './voting-fixtures';

/**
 * Issue #8: the first votes after a start took the vote service down. Its request-path
 * Redis client auto-pipelines, and the Lua scripts used to be defined lazily
 * (`defineCommand`) on first use: a script defined while an auto-pipeline batch was already
 * open was missing from that batch (`pipeline[functionName] is not a function`), and the
 * batch's reply handler then crashed the process (`results[i] is not iterable`). Here a
 * fresh app, as production builds it, takes ballots and votes mixed in its first ticks.
 */
let h: VotingHarness;
let app: Awaited<ReturnType<typeof buildVoteApp>>;
beforeAll(async () => {
  h = await votingHarness('firstvotes');
  app = await buildVoteApp(h.config, { db: h.tdb.db });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await h.close();
});

it('answers every first vote after a start with 202, ballots and votes mixed in one tick', async () => {
  const voters = await Promise.all(
    Array.from({ length: 16 }, async (_, i) => {
      const r = i % 2;
      const d = Math.floor(i / 2) % 2;
      const member = await h.addMember(r, d);
      const token = await h.token(member);
      const selections = h.contestsOf(r, d).map((contestId) => ({ contestId, candidateIds: [h.el.candidates[contestId]![0]!] }));
      return { token, selections };
    }),
  );
  // A ballot read first (its Redis read opens the tick's pipeline), then votes and ballots interleaved.
  const answers = await Promise.all(
    voters.flatMap((v, i) => [
      app.inject({ method: 'GET', url: '/api/v1/ballot', headers: { authorization: `Bearer ${voters[(i + 1) % voters.length]!.token}` } }),
      app.inject({
        method: 'POST',
        url: '/api/v1/votes',
        headers: { authorization: `Bearer ${v.token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ selections: v.selections }),
      }),
    ]),
  );
  const votes = answers.filter((_, i) => i % 2 === 1);
  expect(votes.map((a) => a.statusCode)).toEqual(voters.map(() => 202));
  expect(answers.filter((_, i) => i % 2 === 0).map((a) => a.statusCode)).toEqual(voters.map(() => 200));
});
