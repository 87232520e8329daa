import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { canonicalId } from '@primaries/service-kit';
import { sendResource } from '../conditional';
import { ResultsErrorCodes } from '../errors';
import type { RenderedSnapshot } from '../render';

const contestParams = z.object({ id: canonicalId() });

/** GET /api/v1/results, /contests/:id and /turnout: pre-rendered bytes of the current snapshot. */
export default async function resultsRoutes(app: FastifyInstance, opts: { retryAfterSeconds: number }) {
  const retryAfter = Math.max(1, Math.round(opts.retryAfterSeconds));
  const notReady = (reply: FastifyReply) =>
    reply
      .code(503)
      .header('retry-after', String(retryAfter))
      .header('cache-control', 'no-store')
      .send({ error: { code: ResultsErrorCodes.NOT_READY, message: 'Results have not been published yet' } });
  const current = (): RenderedSnapshot | null => app.snapshots.current;

  app.get('/', { config: { statuses: [200, 304] }, schema: { summary: 'The election: turnout and the list of contests', tags: ['results'] } }, async (request, reply) => {
    const s = current();
    return s ? sendResource(request, reply, s.summary) : notReady(reply);
  });

  app.get('/turnout', { config: { statuses: [200, 304] }, schema: { summary: 'Turnout by region', tags: ['results'] } }, async (request, reply) => {
    const s = current();
    return s ? sendResource(request, reply, s.turnout) : notReady(reply);
  });

  app.get<{ Params: z.infer<typeof contestParams> }>(
    '/contests/:id',
    { config: { statuses: [200, 304] }, schema: { summary: "One contest's rating, with the women's and under-35s' ratings", tags: ['results'], params: contestParams } },
    async (request, reply) => {
      const s = current();
      if (!s) return notReady(reply);
      const resource = s.contests.get(request.params.id);
      if (!resource) {
        return reply
          .code(404)
          .header('cache-control', 'public, max-age=60')
          .send({ error: { code: ResultsErrorCodes.CONTEST_NOT_FOUND, message: `No contest ${request.params.id} in the results` } });
      }
      return sendResource(request, reply, resource);
    },
  );
}
