import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { participatedContestIds } from '@primaries/db';
import { ageGroup, isYouth, windowState } from '@primaries/domain';
import type { Lang } from '@primaries/i18n';
import { requestLanguage } from '@primaries/service-kit';
import { VoteErrors } from '../../errors';
import { type ContestView, type ElectionView, electionCacheFor, voterContests, votesOnPaper } from '../../voting/election-cache';
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
          /** The candidate's region (the contest's, or the member's for the national list), in the asked language. */
          region: z.string().nullable(),
          /** Age band on election day: `18–34` … `65+`. */
          ageGroup: z.string(),
          /** Under 35 on election day (the youth quota). */
          youth: z.boolean(),
        }),
      ),
    }),
  ),
});

/** A name in the asked language: Kazakh where one is recorded, else the name as registered. */
const named = (lang: Lang | null, name: string, nameKk: string | null) => (lang === 'kk' && nameKk ? nameKk : name);

/** One contest's candidates as the ballot shows them. */
function candidatesOf(view: ElectionView, c: ContestView, lang: Lang | null) {
  const day = view.election.electionDay;
  return c.active.map((k) => {
    const region = view.regions.get((c.regionId ?? k.memberRegionId) as number);
    return {
      id: k.id,
      name: named(lang, k.name, k.nameKk),
      gender: k.gender,
      birthDate: k.birthDate,
      occupation: k.occupation,
      region: region ? named(lang, region.name, region.nameKk) : null,
      ageGroup: ageGroup(k.birthDate, day),
      youth: isYouth(k.birthDate, day),
    };
  });
}

/**
 * GET /api/v1/ballot: the voter's contests (national, their region, their district) with
 * active candidates in ballot order, whether each is already voted, and the window state
 * by server time. Contest and candidate lists come from a 5-second in-memory cache.
 * `Accept-Language: kk` gives the Kazakh names where they are recorded.
 */
export default async function routes(app: FastifyInstance): Promise<void> {
  const cache = electionCacheFor(app.db);
  app.get(
    '',
    {
      preHandler: app.authenticate,
      config: { statuses: [401, 403] },
      schema: { summary: "The voter's ballot", security: [{ bearer: [] }], response: { 200: ballotResponse } },
    },
    async (request, reply) => {
      const session = request.session!;
      const memberId = String(session.memberId);
      const view = await cache.election(session.electionId);
      if (!view) throw new VoteErrors.NOT_ELIGIBLE();
      const place = await cache.voterPlace(session);
      if (!place || place.status !== 'active') throw new VoteErrors.NOT_ELIGIBLE();
      if (votesOnPaper(place, session.electionId)) throw new VoteErrors.PAPER_VOTER();
      const contests = voterContests(view, place);
      const ids = contests.map((c) => c.id);
      const [blocked, claimed, participated] = await Promise.all([
        app.control.isBlocked(session.electionId, memberId),
        claimedContests(app.redis, app.redisPrefix, session.electionId, memberId),
        // Postgres away: the pre-check alone says what is voted (a vote Postgres alone knows,
        // such as a paper one, is still refused when the worker records it).
        participatedContestIds(app.db, memberId, ids).catch((err: unknown) => {
          if (dependencyFailure(err) !== 'postgres') throw err;
          app.outages.report('postgres', err);
          return [];
        }),
      ]);
      if (blocked) throw new VoteErrors.MEMBER_BLOCKED();
      const voted = new Set([...claimed, ...participated]);
      // A vote Postgres knows but the pre-check doesn't (paper, or Redis lost it): teach Redis.
      const missing = participated.filter((id) => !claimed.includes(id));
      if (missing.length) await rememberVoted(app.redis, app.redisPrefix, session.electionId, memberId, missing);
      const e = view.election;
      const lang = requestLanguage(request);
      reply.header('cache-control', 'no-store').header('vary', 'Accept-Language');
      if (lang) reply.header('content-language', lang);
      return {
        election: { id: e.id, name: named(lang, e.name, e.nameKk), opensAt: e.opensAt.toISOString(), closesAt: e.closesAt.toISOString(), state: windowState(e) },
        contests: contests.map((c) => ({
          id: c.id,
          name: named(lang, c.name, c.nameKk),
          level: c.level,
          maxChoices: c.maxChoices,
          voted: voted.has(c.id),
          candidates: candidatesOf(view, c, lang),
        })),
      };
    },
  );
}
