import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findLifecycleElection, findFinalProtocol } from '@primaries/db';
import { AdminErrors } from '../errors';

const params = z.object({ id: z.coerce.number().int().positive(), contestId: z.coerce.number().int().positive() });
const FORMATS = { csv: 'text/csv; charset=utf-8', pdf: 'application/pdf' } as const;

/**
 * A contest's final protocol, as stored at publication (issue #13): the same bytes the
 * portal serves, with their SHA-256 in `x-content-sha256`. Organizers, observers and the
 * control committee.
 */
export default async function protocolRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  for (const format of ['csv', 'pdf'] as const) {
    app.get(
      `/elections/:id/contests/:contestId/protocol.${format}`,
      {
        preHandler: [app.staffAuthenticate, app.requireRole('organizer', 'observer', 'control')],
        // No response schema: the answer is the stored bytes (errors: 401, 403, 404 ADMIN_ERR_ELECTION_NOT_FOUND, 409 ADMIN_ERR_PROTOCOL_NOT_READY).
        schema: { summary: `A contest's final protocol (${format.toUpperCase()}), once the results are published`, params },
      },
      async (request, reply) => {
        const { id, contestId } = request.params;
        const protocol = await findFinalProtocol(app.db, id, contestId, format);
        if (!protocol) {
          if (!(await findLifecycleElection(app.db, id))) throw new AdminErrors.ELECTION_NOT_FOUND();
          throw new AdminErrors.PROTOCOL_NOT_READY();
        }
        return reply
          .header('content-type', FORMATS[format])
          .header('content-disposition', `attachment; filename="protocol-${id}-${contestId}.${format}"`)
          .header('x-content-sha256', protocol.sha256)
          .header('cache-control', 'no-store')
          .send(protocol.content);
      },
    );
  }
}
