import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { participatedContestIds } from '@primaries/db';
import { windowState } from '@primaries/domain';
import { VoteErrors } from '../../errors';
import { electionCacheFor, voterContests } from '../../voting/election-cache';
import { claimedContests, rememberVoted } from '@primaries/redis-protocols';
import { dependencyFailure } from '@primaries/service-kit';

const ballotResponse = z.object({
  election: z.object({
    id: z.number(),
    name: z.string(),
    opensAt: z.string(),
    closesAt: z.string(),
    state: z.enum(['scheduled', 'open', 'closed']),
  }),
  contests: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      level: z.enum(['national', 'region', 'district']),
      maxChoices: z.number(),
      voted: z.boolean(),
      candidates: z.array(
        z.object({
          id: z.number(),
          name: z.string(),
          gender: z.enum(['F', 'M']),
          birthDate: z.string(),
          occupation: z.string().nullable(),
        }),
      ),
    }),
  ),
});

/**
 * GET /api/v1/ballot: the voter's contests (national, their region, their district) with
 * active candidates in ballot order, whether each is already voted, and the window state
 * by server time. Contest and candidate lists come from a 5-second in-memory cache.
 */
export default async function routes(app: FastifyInstance): Promise<void> {
  const cache = electionCacheFor(app.db);
  app.get(
    '',
    {
      preHandler: app.authenticate,
      schema: { summary: "The voter's ballot", security: [{ bearer: [] }], response: { 200: ballotResponse } },
    },
    async (request, reply) => {
      const session = request.session!;
      const memberId = String(session.memberId);
      const view = await cache.election(session.electionId);
      if (!view) throw new VoteErrors.NOT_ELIGIBLE();
      const place = await cache.voterPlace(session);
      if (!place || place.status !== 'active') throw new VoteErrors.NOT_ELIGIBLE();
      const contests = voterContests(view, place);
      const ids = contests.map((c) => c.id);
      const [claimed, participated] = await Promise.all([
        claimedContests(app.redis, app.redisPrefix, session.electionId, memberId),
        // Postgres away: the pre-check alone says what is voted (a vote Postgres alone knows,
        // such as a paper one, is still refused when the worker records it).
        participatedContestIds(app.db, memberId, ids).catch((err: unknown) => {
          if (dependencyFailure(err) !== 'postgres') throw err;
          app.outages.report('postgres', err);
          return [];
        }),
      ]);
      const voted = new Set([...claimed, ...participated]);
      // A vote Postgres knows but the pre-check doesn't (paper, or Redis lost it): teach Redis.
      const missing = participated.filter((id) => !claimed.includes(id));
      if (missing.length) await rememberVoted(app.redis, app.redisPrefix, session.electionId, memberId, missing);
      const e = view.election;
      reply.header('cache-control', 'no-store');
      return {
        election: { id: e.id, name: e.name, opensAt: e.opensAt.toISOString(), closesAt: e.closesAt.toISOString(), state: windowState(e) },
        contests: contests.map((c) => ({
          id: c.id,
          name: c.name,
          level: c.level,
          maxChoices: c.maxChoices,
          voted: voted.has(c.id),
          candidates: c.active.map((k) => ({ id: k.id, name: k.name, gender: k.gender, birthDate: k.birthDate, occupation: k.occupation })),
        })),
      };
    },
  );
}
