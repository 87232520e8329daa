import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditPageSchema, readPublishedAudit } from '@primaries/audit';

const query = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

/**
 * GET /api/v1/audit?after=<seq>: the public audit trail (issue #12), as the worker and the
 * admin service publish it to Redis: events after `after`, in order, and the head. Never an
 * IIN, phone or choice. `pnpm primaries audit verify --url` recomputes the chain from here.
 */
export default async function auditRoutes(appBase: FastifyInstance) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.get('/', { schema: { summary: 'The public audit trail, after a sequence number', tags: ['audit'], querystring: query, response: { 200: auditPageSchema } } }, async (request, reply) => {
    const page = await readPublishedAudit(app.redis, app.redisPrefix, request.query.after, request.query.limit);
    reply.header('cache-control', 'public, max-age=5');
    return page;
  });
}
