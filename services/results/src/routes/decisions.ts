import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { publicDecisionSchema } from '@primaries/results-model';
import { errorBody } from '@primaries/service-kit';
import { ResultsErrorCodes } from '../errors';

/**
 * GET /api/v1/decisions (issue #14): the party-control committee's decisions that removed
 * or restored a candidate or blocked a member, from the snapshot (a member by region and
 * primary organisation only), with date and reason code. A decision re-tallies at once, so
 * it is here within seconds.
 */
export default async function decisionRoutes(appBase: FastifyInstance, opts: { retryAfterSeconds: number }) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/',
    { schema: { summary: "The party-control committee's public record", tags: ['results'], response: { 200: z.object({ electionId: z.number(), generatedAt: z.string(), decisions: z.array(publicDecisionSchema) }), 503: z.object({ error: z.object({ code: z.string(), message: z.string() }).passthrough() }) } } },
    async (request, reply) => {
      const current = app.snapshots.current;
      if (!current) {
        reply.code(503).header('retry-after', String(opts.retryAfterSeconds));
        return reply.send(errorBody(request, reply, { code: ResultsErrorCodes.NOT_READY, message: 'No results yet' }));
      }
      const s = current.snapshot;
      reply.header('cache-control', 'public, max-age=5');
      return { electionId: s.electionId, generatedAt: s.generatedAt, decisions: s.decisions };
    },
  );
}
