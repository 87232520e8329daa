import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { freezeWindowOf, isValidIin, statusChangeRefusedBy } from '@primaries/domain';
import { appendAuditEvent, listFreezeElections, lockMemberByIin, setMemberStatus } from '@primaries/db';
import { AdminErrors } from '../errors';
import { errorAnswer } from './schemas';

const STATUSES = ['active', 'expelled', 'blocked', 'suspended'] as const;

/**
 * A member's status by the committees (issue #13, docs/register.md#the-membership-freeze):
 * organizers and the control committee outside the membership freeze, only the control
 * committee while it runs; every change audited with its reason. The member is named by IIN
 * in the body (never in a path, a log or an answer).
 */
export default async function memberStatusRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/members/status',
    {
      preHandler: [app.staffAuthenticate, app.requireRole('organizer', 'control'), app.requireCsrf],
      schema: {
        summary: "Change a member's status with a reason (organizers and control; during the membership freeze, control only)",
        body: z.object({
          iin: z.string().trim().refine(isValidIin, 'not a valid IIN'),
          status: z.enum(STATUSES),
          reason: z.string().trim().min(3).max(500),
        }),
        response: {
          200: z.object({ member: z.object({ id: z.string(), status: z.enum(STATUSES), previousStatus: z.enum(STATUSES) }), changed: z.boolean(), duringFreeze: z.boolean() }),
          400: errorAnswer, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer,
        },
      },
    },
    async (request, reply) => {
      const actor = request.staff!;
      const { iin, status, reason } = request.body;
      const today = new Date().toISOString().slice(0, 10);
      const result = await app.db.transaction().execute(async (trx) => {
        const windows = (await listFreezeElections(trx)).map(freezeWindowOf);
        const refusedBy = statusChangeRefusedBy(actor.role, today, windows);
        if (refusedBy) throw new AdminErrors.FREEZE_CONTROL_ONLY(refusedBy.start, refusedBy.end);
        const member = await lockMemberByIin(trx, iin);
        if (!member) throw new AdminErrors.MEMBER_NOT_FOUND();
        const duringFreeze = statusChangeRefusedBy('organizer', today, windows) !== null;
        if (member.status === status) return { member: { id: member.id, status, previousStatus: member.status }, changed: false, duringFreeze };
        await setMemberStatus(trx, member.id, status, reason);
        await appendAuditEvent(trx, {
          actor: { role: actor.role, id: String(actor.id) },
          action: 'member.status_changed',
          subject: `member:${member.id}`,
          reason: `${member.status} → ${status}${duringFreeze ? ' (during the membership freeze)' : ''}: ${reason}`,
        });
        return { member: { id: member.id, status, previousStatus: member.status }, changed: true, duringFreeze };
      });
      reply.header('cache-control', 'no-store');
      return result;
    },
  );
}
