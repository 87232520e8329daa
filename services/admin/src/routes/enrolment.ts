import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAuditEvent, completeEnrolment, consumeEnrolment, enrolmentTokenHash, findOpenEnrolment, setPendingTotpSecret } from '@primaries/db';
import { AdminErrors } from '../errors';
import { hashPassword, newTotpSecret, passwordStrongEnough, totpEnrolment, verifyTotp } from '../auth/credentials';
import { openTotpSecret, sealTotpSecret } from '../auth/totp-secrets';
import { errorAnswer, staffView, toStaffView } from './schemas';

const token = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/**
 * Enrolment through the one-time link `staff add` prints: `start` shows the account and a
 * new TOTP secret (with its QR code); `complete` sets the password and confirms the
 * authenticator with a code, and uses the link up. Expired or used links answer 410.
 */
export default async function enrolmentRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/enrolment/start',
    {
      preHandler: app.requireCsrf,
      schema: {
        summary: 'Open an enrolment link: the account, and a TOTP secret for the authenticator app',
        body: z.object({ token }),
        response: { 200: z.object({ staff: staffView, totpSecret: z.string(), otpauthUri: z.string(), qrSvg: z.string() }), 410: errorAnswer },
      },
    },
    async (request, reply) => {
      const staff = await findOpenEnrolment(app.db, enrolmentTokenHash(request.body.token));
      if (!staff || staff.enrolled_at) throw new AdminErrors.ENROLMENT_INVALID();
      const secret = newTotpSecret();
      // Stored encrypted (ADMIN_TOTP_KEYS); shown in clear to this page only, once.
      await setPendingTotpSecret(app.db, staff.id, sealTotpSecret(app.adminConfig.ADMIN_TOTP_KEYS, staff.id, secret));
      const { uri, qrSvg } = await totpEnrolment(secret, staff.login);
      reply.header('cache-control', 'no-store');
      return { staff: toStaffView(staff), totpSecret: secret, otpauthUri: uri, qrSvg };
    },
  );

  app.post(
    '/enrolment/complete',
    {
      preHandler: app.requireCsrf,
      schema: {
        summary: 'Set the password and confirm the authenticator; the link is used up',
        body: z.object({ token, password: z.string().max(1024), totp: z.string().regex(/^\d{6}$/) }),
        response: { 200: z.object({ staff: staffView }), 410: errorAnswer, 422: errorAnswer },
      },
    },
    async (request) => {
      const { password, totp } = request.body;
      const tokenHash = enrolmentTokenHash(request.body.token);
      const staff = await findOpenEnrolment(app.db, tokenHash);
      if (!staff || staff.enrolled_at || !staff.totp_secret) throw new AdminErrors.ENROLMENT_INVALID();
      if (!passwordStrongEnough(password, [staff.login, 'primaries'])) throw new AdminErrors.WEAK_PASSWORD();
      const code = await verifyTotp(openTotpSecret(app.adminConfig.ADMIN_TOTP_KEYS, staff.id, staff.totp_secret), totp, null);
      if (!code || !('step' in code)) throw new AdminErrors.TOTP_INVALID();
      const passwordHash = await hashPassword(password);
      await app.db.transaction().execute(async (trx) => {
        // The link is used up in the same transaction (a second submission finds it used).
        if ((await consumeEnrolment(trx, tokenHash)) !== staff.id) throw new AdminErrors.ENROLMENT_INVALID();
        await completeEnrolment(trx, staff.id, passwordHash, code.step);
        await appendAuditEvent(trx, { actor: { role: staff.role, id: String(staff.id) }, action: 'staff.enrolled', subject: `staff:${staff.id}` });
      });
      return { staff: { ...toStaffView(staff), enrolled: true } };
    },
  );
}
