import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditEventSchema, auditHeadSchema } from '@primaries/audit';
import { auditHead, listAuditEvents } from '@primaries/db';
import { errorAnswer } from './schemas';

/**
 * The latest events of the audit trail, for every signed-in role's home on the console
 * (read only; the console's CSP reaches its own host only, so it cannot read the results
 * site's copy). The same events as the public trail, `GET /api/v1/audit` on the results site.
 */
export default async function auditTrailRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/audit/latest',
    {
      preHandler: app.staffAuthenticate,
      schema: {
        summary: 'The latest audit trail events, newest last (any signed-in role)',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
        response: { 200: z.object({ events: z.array(auditEventSchema), head: auditHeadSchema }), 401: errorAnswer },
      },
    },
    async (request, reply) => {
      const head = await auditHead(app.db);
      const events = await listAuditEvents(app.db, Math.max(0, head.seq - request.query.limit), request.query.limit);
      reply.header('cache-control', 'no-store');
      return { events, head };
    },
  );
}
