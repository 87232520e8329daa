import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { decideComplaint, restoreCandidate } from '../control/decide';
import { decisionBody } from './control-schemas';
import { errorAnswer } from './schemas';

/**
 * Decisions of the party-control committee (issue #14, docs/control.md). After the commit:
 * a changed ballot is announced to every vote service, the complainant's state moves, and a
 * re-tally is queued at once. A failure of those effects after the commit is logged, never
 * undoes the decision: the vote services' cache expires within seconds anyway, and the next
 * scheduled tally counts it.
 */
export default async function controlDecisionRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const write = [app.staffAuthenticate, app.requireRole('control'), app.requireCsrf];
  const prefix = app.adminConfig.REDIS_PREFIX;
  const effects = async (what: Array<() => Promise<void>>, log: { warn: (o: object, m: string) => void }) => {
    const results = await Promise.allSettled(what.map((f) => f()));
    for (const r of results) if (r.status === 'rejected') log.warn({ err: { message: (r.reason as Error).message } }, 'a decision effect failed after the commit');
  };

  app.post(
    '/control/complaints/:id/decision',
    {
      preHandler: write,
      schema: {
        summary: 'Decide a complaint: remove a candidate, block a member, refer it on, or dismiss it (control)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: decisionBody,
        response: { 200: z.object({ status: z.enum(['upheld', 'dismissed']) }), 401: errorAnswer, 403: errorAnswer, 404: errorAnswer, 409: errorAnswer, 422: errorAnswer },
      },
    },
    async (request) => {
      const staff = request.staff!;
      const d = await decideComplaint(app.db, app.redis, prefix, { role: staff.role, id: staff.id }, request.params.id, request.body);
      await effects(
        [
          ...(d.ballotChanged ? [() => app.controlEffects.ballotChanged(d.electionId)] : []),
          ...(d.recordChanged ? [() => app.controlEffects.retally(d.electionId)] : []),
          () => app.controlEffects.complaintState(d.tracking, d.state, d.updatedAt),
        ],
        request.log,
      );
      return { status: d.state };
    },
  );

  app.post(
    '/control/candidates/:id/restore',
    {
      preHandler: write,
      schema: {
        summary: 'Restore a removed candidate (a decision reversed on appeal); counted again (control)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ text: z.string().trim().min(10).max(4000), complaintId: z.number().int().positive().optional() }),
        response: { 200: z.object({ restored: z.literal(true) }), 401: errorAnswer, 403: errorAnswer, 409: errorAnswer, 422: errorAnswer },
      },
    },
    async (request) => {
      const staff = request.staff!;
      const r = await restoreCandidate(app.db, { role: staff.role, id: staff.id }, request.params.id, request.body.text, request.body.complaintId ?? null);
      await effects([() => app.controlEffects.ballotChanged(r.electionId), () => app.controlEffects.retally(r.electionId)], request.log);
      return { restored: true as const };
    },
  );
}
