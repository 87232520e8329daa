import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { canonicalId, errorBody } from '@primaries/service-kit';
import { protocolKeys } from '@primaries/results-model';
import { ResultsErrorCodes } from '../errors';

const params = z.object({ id: canonicalId() });
const TYPES = { csv: 'text/csv; charset=utf-8', pdf: 'application/pdf' } as const;

/**
 * `GET /api/v1/results/contests/{id}/protocol.csv|pdf` (issue #13): a contest's final
 * protocol, once the results are published — the bytes the worker stored at publication,
 * from Redis (this site has no database). Before: 409 RESULTS_ERR_NOT_PUBLISHED.
 */
export default async function protocolRoutes(app: FastifyInstance) {
  const fail = (request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).header('cache-control', 'no-store').send(errorBody(request, reply, { code, message }));
  for (const format of ['csv', 'pdf'] as const) {
    app.get<{ Params: z.infer<typeof params> }>(
      `/contests/:id/protocol.${format}`,
      { config: { statuses: [409] }, schema: { summary: `A contest's final protocol (${format.toUpperCase()}), once the results are published`, tags: ['results'], params } },
      async (request, reply) => {
        const s = app.snapshots.current?.snapshot;
        if (!s) return fail(request, reply, 503, ResultsErrorCodes.NOT_READY, 'Results have not been published yet');
        const contestId = request.params.id;
        if (!s.contests.some((c) => c.id === contestId)) return fail(request, reply, 404, ResultsErrorCodes.CONTEST_NOT_FOUND, `No contest ${contestId} in the results`);
        if (!s.final) return fail(request, reply, 409, ResultsErrorCodes.NOT_PUBLISHED, 'The final results are not published yet');
        const bytes = await app.redis.hgetBuffer(protocolKeys(app.redisPrefix).election(s.electionId), `${contestId}.${format}`);
        if (!bytes) return fail(request, reply.header('retry-after', '30'), 503, ResultsErrorCodes.PROTOCOL_NOT_READY, 'The protocol is being made; try again shortly');
        // Stable once published: a shared cache may keep it.
        return reply
          .header('content-type', TYPES[format])
          .header('content-disposition', `attachment; filename="protocol-${s.electionId}-${contestId}.${format}"`)
          .header('x-content-sha256', createHash('sha256').update(bytes).digest('hex'))
          .header('cache-control', 'public, max-age=3600')
          .send(bytes);
      },
    );
  }
}
