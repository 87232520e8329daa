import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { addStaffAccount, appendAuditEvent, disableStaff, enrolmentLink, findStaffById, listStaff } from '@primaries/db';
import { AdminErrors } from '../errors';
import { errorAnswer, staffView, toStaffView } from './schemas';
import { checkStation, uniqueLoginViolation } from './staff-input';

/** Staff accounts, for organizers: list, add (with a one-time enrolment link), disable. */
export default async function staffRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const organizer = app.requireRole('organizer');

  app.get(
    '/staff',
    { preHandler: [app.staffAuthenticate, organizer], schema: { summary: 'Every staff account (organizers)', response: { 200: z.object({ staff: z.array(staffView) }), 401: errorAnswer, 403: errorAnswer } } },
    async () => ({ staff: (await listStaff(app.db)).map(toStaffView) }),
  );

  app.post(
    '/staff',
    {
      preHandler: [app.staffAuthenticate, organizer, app.requireCsrf],
      schema: {
        summary: 'Add a staff account; answers its one-time enrolment link (organizers)',
        body: z.object({
          role: z.enum(['organizer', 'control', 'precinct', 'observer']),
          login: z.string().trim().toLowerCase().regex(/^[a-z0-9._-]{3,64}$/).optional(),
          stationId: z.number().int().positive().optional(),
        }),
        response: { 201: z.object({ staff: staffView, enrolmentUrl: z.string(), expiresAt: z.string() }), 401: errorAnswer, 403: errorAnswer, 409: errorAnswer, 422: errorAnswer },
      },
    },
    async (request, reply) => {
      const { role, login, stationId } = request.body;
      await checkStation(app.db, role, stationId ?? null);
      const actor = request.staff!;
      try {
        const added = await addStaffAccount(app.db, { role, ...(login ? { login } : {}), stationId: stationId ?? null, ttlSeconds: app.adminConfig.ADMIN_ENROL_TTL_SECONDS, actor: { role: actor.role, id: String(actor.id) } });
        reply.header('cache-control', 'no-store');
        return reply.code(201).send({ staff: toStaffView(added.staff), enrolmentUrl: enrolmentLink(app.adminConfig.ADMIN_PUBLIC_URL, added.token), expiresAt: added.expiresAt.toISOString() });
      } catch (err) {
        if (uniqueLoginViolation(err)) throw new AdminErrors.LOGIN_TAKEN();
        throw err;
      }
    },
  );

  app.post(
    '/staff/:id/disable',
    {
      preHandler: [app.staffAuthenticate, organizer, app.requireCsrf],
      schema: {
        summary: 'Disable a staff account; its sessions end (organizers; never the last organizer)',
        params: z.object({ id: z.coerce.number().int().positive() }),
        body: z.object({ reason: z.string().trim().min(3).max(500) }),
        response: { 200: z.object({ staff: staffView }), 401: errorAnswer, 403: errorAnswer, 404: errorAnswer, 409: errorAnswer },
      },
    },
    async (request) => {
      const actor = request.staff!;
      const id = request.params.id;
      const staff = await app.db.transaction().execute(async (trx) => {
        const outcome = await disableStaff(trx, id);
        if (outcome === 'not-found') throw new AdminErrors.STAFF_NOT_FOUND();
        if (outcome === 'last-organizer') throw new AdminErrors.LAST_ORGANIZER();
        if (outcome === 'disabled') await appendAuditEvent(trx, { actor: { role: actor.role, id: String(actor.id) }, action: 'staff.disabled', subject: `staff:${id}`, reason: request.body.reason });
        return (await findStaffById(trx, id))!;
      });
      return { staff: toStaffView(staff) };
    },
  );
}
