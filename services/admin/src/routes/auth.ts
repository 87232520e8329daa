import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { acceptTotpStep, appendAuditEvent, bumpSessionEpoch, findStaffByLogin, recordFailedSignin, resetFailedSignins } from '@primaries/db';
import { AdminErrors } from '../errors';
import { verifyPassword, verifyTotp } from '../auth/credentials';
import { openTotpSecret } from '../auth/totp-secrets';
import { errorAnswer, staffView, toStaffView } from './schemas';
import { csrfUserInfo } from '../plugins/staff-auth';

const signInBody = z.object({
  login: z.string().trim().toLowerCase().min(1).max(64),
  password: z.string().min(1).max(1024),
  totp: z.string().regex(/^\d{6}$/),
});

/**
 * Sign-in (password and TOTP, both required; a used code is refused), sign-out, sign-out
 * everywhere, and who is signed in. Every POST carries the CSRF token (GET /api/v1/csrf).
 */
export default async function authRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const config = app.adminConfig;
  /** The account's TOTP secret, opened with ADMIN_TOTP_KEYS; null (and an error logged, never the secret) when it does not open. */
  const openStoredSecret = (staffId: number, stored: string): string | null => {
    try {
      return openTotpSecret(config.ADMIN_TOTP_KEYS, staffId, stored);
    } catch (err) {
      app.log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'TOTP secret does not open: sign-in refused');
      return null;
    }
  };

  app.get('/csrf', { schema: { summary: 'A CSRF token for this session (send it as x-csrf-token)', response: { 200: z.object({ token: z.string() }) } } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return { token: reply.generateCsrf({ userInfo: csrfUserInfo(request) }) };
  });

  app.post(
    '/auth/sign-in',
    {
      preHandler: app.requireCsrf,
      config: { rateLimit: { max: config.ADMIN_SIGNIN_RATE_MAX, timeWindow: 15 * 60_000 } },
      schema: { summary: 'Sign in with login, password and the authenticator code', body: signInBody, response: { 200: z.object({ staff: staffView }), 401: errorAnswer, 423: errorAnswer } },
    },
    async (request, reply) => {
      const { login, password, totp } = request.body;
      const staff = await findStaffByLogin(app.db, login);
      const passwordOk = await verifyPassword(staff?.password_hash ?? null, password);
      if (!staff || !staff.enrolled_at || staff.disabled_at || !staff.totp_secret) throw new AdminErrors.SIGNIN_FAILED();
      if (staff.locked_until && staff.locked_until.getTime() > Date.now()) throw new AdminErrors.LOCKED();
      const secret = openStoredSecret(staff.id, staff.totp_secret);
      // A secret that does not open (ADMIN_TOTP_KEYS lacks its key, or it was changed) fails closed, uncounted.
      if (secret === null) throw new AdminErrors.SIGNIN_FAILED();
      const code = passwordOk ? await verifyTotp(secret, totp, staff.totp_last_step === null ? null : Number(staff.totp_last_step)) : null;
      const accepted = code && 'step' in code ? await acceptTotpStep(app.db, staff.id, code.step) : false;
      if (!accepted) {
        const locked = await app.db.transaction().execute(async (trx) => {
          const now = await recordFailedSignin(trx, staff.id, config.ADMIN_LOCKOUT_AFTER, config.ADMIN_LOCKOUT_SECONDS);
          if (now) await appendAuditEvent(trx, { actor: { role: 'system', id: 'admin' }, action: 'staff.locked', subject: `staff:${staff.id}`, reason: `${config.ADMIN_LOCKOUT_AFTER} failed sign-ins` });
          return now;
        });
        if (locked) throw new AdminErrors.LOCKED();
        if (code && 'replayed' in code) throw new AdminErrors.TOTP_REPLAYED();
        throw new AdminErrors.SIGNIN_FAILED();
      }
      await resetFailedSignins(app.db, staff.id);
      await app.staffSessions.start(reply, staff);
      reply.header('cache-control', 'no-store');
      return { staff: toStaffView(staff) };
    },
  );

  app.post(
    '/auth/sign-out',
    { preHandler: [app.staffAuthenticate, app.requireCsrf], schema: { summary: 'End this session', response: { 204: z.null(), 401: errorAnswer } } },
    async (request, reply) => {
      await app.staffSessions.end(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/sign-out-everywhere',
    { preHandler: [app.staffAuthenticate, app.requireCsrf], schema: { summary: 'End every session of this account', response: { 204: z.null(), 401: errorAnswer } } },
    async (request, reply) => {
      const staff = request.staff!;
      await app.db.transaction().execute(async (trx) => {
        await bumpSessionEpoch(trx, staff.id);
        await appendAuditEvent(trx, { actor: { role: staff.role, id: String(staff.id) }, action: 'staff.signed_out_everywhere', subject: `staff:${staff.id}` });
      });
      await app.staffSessions.end(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    { preHandler: app.staffAuthenticate, schema: { summary: 'The signed-in account', response: { 200: z.object({ staff: staffView }), 401: errorAnswer } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return { staff: toStaffView(request.staff!) };
    },
  );
}
