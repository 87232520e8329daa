import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { findMemberStation } from '@primaries/db';
import { paperWindowState } from '@primaries/domain';

const answer = z.object({
  /** Null: the member votes online. */
  station: z
    .object({
      code: z.string(),
      settlement: z.string(),
      address: z.string().nullable(),
      district: z.string(),
      region: z.string(),
      opensAt: z.string(),
      closesAt: z.string(),
      /** The paper day's window by server time. */
      state: z.enum(['before', 'open', 'closed']),
    })
    .nullable(),
});

/**
 * GET /api/v1/paper-station (issue #15): where and when a member on a polling station's
 * list votes on paper. The ballot and the votes routes refuse such a member with
 * VOTE_ERR_PAPER_VOTER; the site then asks here and shows the station instead of a ballot.
 */
export default async function routes(app: FastifyInstance): Promise<void> {
  app.get(
    '',
    { preHandler: app.authenticate, config: { statuses: [401] }, schema: { summary: "The voter's polling station, if they vote on paper", security: [{ bearer: [] }], response: { 200: answer } } },
    async (request, reply) => {
      const session = request.session!;
      const s = await findMemberStation(app.db, session.electionId, String(session.memberId));
      reply.header('cache-control', 'no-store');
      if (!s) return { station: null };
      return {
        station: { code: s.code, settlement: s.settlement, address: s.address, district: s.district, region: s.region, opensAt: s.opensAt.toISOString(), closesAt: s.closesAt.toISOString(), state: paperWindowState(s) },
      };
    },
  );
}
