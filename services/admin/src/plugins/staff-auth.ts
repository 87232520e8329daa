import { createHmac, randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AdminConfig } from '@primaries/config';
import { type Staff, type StaffRole, findStaffById } from '@primaries/db';
import { AdminErrors } from '../errors';

/** What a staff session keeps in Redis (no password, no code, nothing personal). */
interface StaffSessionData {
  staffId: number;
  /** The account's session_epoch at sign-in: "sign out everywhere" and disabling move it on. */
  epoch: number;
  signedInAt: number;
  lastSeen: number;
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in staff member, set by `app.staffAuthenticate` (null when nobody is). */
    staff: Staff | null;
    /** The id of the request's staff session, from its signed cookie (null when none). */
    staffSessionId: string | null;
  }
  interface FastifyInstance {
    /** preHandler: a live session of an enabled account (refreshed); else 401 ADMIN_ERR_UNAUTHENTICATED. */
    staffAuthenticate: Handler;
    /** preHandler factory: the signed-in account has one of these roles; else 403 ADMIN_ERR_FORBIDDEN. */
    requireRole: (...roles: StaffRole[]) => Handler;
    /** preHandler: the request carries a CSRF token for this session; else 403 ADMIN_ERR_CSRF. */
    requireCsrf: Handler;
    staffSessions: {
      /** Starts a session for this account and sets its cookie. */
      start(reply: FastifyReply, staff: Staff): Promise<void>;
      /** Ends the request's session (if any) and clears its cookie. */
      end(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    };
  }
}

/** What a CSRF token is bound to: the session (a token from before sign-in is no good after it). */
export function csrfUserInfo(request: FastifyRequest): string {
  return request.staffSessionId ?? 'anonymous';
}

const SESSION_COOKIE = 'primaries_admin';
const CSRF_COOKIE = 'primaries_admin_csrf';
const CSRF_HEADER = 'x-csrf-token';

/**
 * Staff sessions (issue #12). A random session id in a signed, HTTP-only, SameSite=Strict
 * cookie (Secure when ADMIN_PUBLIC_URL is https); the session itself in Redis, expiring after
 * ADMIN_SESSION_IDLE_SECONDS without a request, and refused after ADMIN_SESSION_MAX_SECONDS
 * in any case. The account is read on every request, so a disabled account or a newer
 * session epoch ("sign out everywhere") ends its sessions at once. CSRF: @fastify/csrf-protection
 * with its secret in a signed cookie and each token bound to the session id.
 *
 * Why not @fastify/session: its declaration of `request.session` collides with the vote
 * service's own `request.session` in the one type-checked workspace; what it would add here
 * (a cookie and a keyed Redis value) is a few lines.
 */
export const staffAuthPlugin = fp(
  async (app: FastifyInstance, opts: { config: AdminConfig }) => {
    const { config } = opts;
    const secure = new URL(config.ADMIN_PUBLIC_URL).protocol === 'https:';
    const cookieOptions = { httpOnly: true, sameSite: 'strict', secure, path: '/', signed: true } as const;
    const key = (id: string) => `${app.redisPrefix}:admin:session:${id}`;
    const idleSeconds = config.ADMIN_SESSION_IDLE_SECONDS;

    await app.register(fastifyCookie, { secret: config.ADMIN_SECRET });
    await app.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: CSRF_COOKIE,
      cookieOpts: cookieOptions,
      // Tokens bound to the session (getUserInfo) are HMACed with a key of their own, derived from ADMIN_SECRET.
      csrfOpts: { hmacKey: createHmac('sha256', config.ADMIN_SECRET).update('csrf').digest('base64') },
      getUserInfo: csrfUserInfo,
      getToken: (request) => request.headers[CSRF_HEADER] as string | undefined,
    });
    app.decorateRequest('staff', null);
    app.decorateRequest('staffSessionId', null);
    app.addHook('onRequest', async (request) => {
      const raw = request.cookies[SESSION_COOKIE];
      if (!raw) return;
      const unsigned = request.unsignCookie(raw);
      if (unsigned.valid && unsigned.value && /^[A-Za-z0-9_-]{43}$/.test(unsigned.value)) request.staffSessionId = unsigned.value;
    });

    async function refuse(request: FastifyRequest, reply: FastifyReply): Promise<never> {
      await end(request, reply);
      throw new AdminErrors.UNAUTHENTICATED();
    }

    async function end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
      if (request.staffSessionId) await app.redis.del(key(request.staffSessionId));
      request.staffSessionId = null;
      request.staff = null;
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
    }

    app.decorate('staffSessions', {
      async start(reply: FastifyReply, staff: Staff) {
        const id = randomBytes(32).toString('base64url');
        const now = Date.now();
        const data: StaffSessionData = { staffId: staff.id, epoch: staff.session_epoch, signedInAt: now, lastSeen: now };
        await app.redis.set(key(id), JSON.stringify(data), 'EX', idleSeconds);
        reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: config.ADMIN_SESSION_MAX_SECONDS });
        reply.request.staffSessionId = id;
        reply.request.staff = staff;
      },
      end,
    });

    app.decorate('staffAuthenticate', async function staffAuthenticate(request: FastifyRequest, reply: FastifyReply) {
      const id = request.staffSessionId;
      if (!id) throw new AdminErrors.UNAUTHENTICATED();
      const raw = await app.redis.get(key(id));
      if (!raw) return refuse(request, reply);
      const s = JSON.parse(raw) as StaffSessionData;
      const now = Date.now();
      if (now - s.lastSeen > idleSeconds * 1000 || now - s.signedInAt > config.ADMIN_SESSION_MAX_SECONDS * 1000) return refuse(request, reply);
      const staff = await findStaffById(app.db, s.staffId);
      if (!staff || staff.disabled_at || staff.session_epoch !== s.epoch) return refuse(request, reply);
      await app.redis.set(key(id), JSON.stringify({ ...s, lastSeen: now }), 'EX', idleSeconds);
      request.staff = staff;
    });

    app.decorate('requireRole', (...roles: StaffRole[]) =>
      async function requireRole(request: FastifyRequest) {
        if (!request.staff) throw new AdminErrors.UNAUTHENTICATED();
        if (!roles.includes(request.staff.role)) throw new AdminErrors.FORBIDDEN();
      },
    );

    app.decorate('requireCsrf', function requireCsrf(request: FastifyRequest, reply: FastifyReply) {
      return new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (err?: Error) => (err ? reject(new AdminErrors.CSRF()) : resolve()));
      });
    });
  },
  { name: 'staff-auth', dependencies: ['redis', 'db'] },
);
