import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import { redisClient } from '@primaries/queue';
import type { AdminConfig } from '@primaries/config';
import type { Database } from '@primaries/db';
import { baseServerOptions, dbPlugin, docsPlugin, errorHandlerPlugin, observabilityPlugin, redisPlugin } from '@primaries/service-kit';
import { reencryptTotpSecrets } from './auth/totp-secrets';
import { staticSitePlugin } from '@primaries/static-site';
import { AdminErrors } from './errors';
import { queueBoardPlugin } from './plugins/queue-board';
import { staffAuthPlugin } from './plugins/staff-auth';
import { publishAuditTrail } from '@primaries/audit';
import auditTrailRoutes from './routes/audit-trail';
import authRoutes from './routes/auth';
import dashboardRoutes from './routes/dashboard';
import electionImportRoutes from './routes/election-import';
import memberStatusRoutes from './routes/member-status';
import enrolmentRoutes from './routes/enrolment';
import staffRoutes from './routes/staff';
import controlComplaintRoutes from './routes/control-complaints';
import controlDecisionRoutes from './routes/control-decisions';
import { registerControlEffects } from './control/effects';
import lifecycleRoutes from './routes/lifecycle';
import protocolRoutes from './routes/protocols';
import { electionChangesPlugin } from './plugins/election-changes';
import paperCheckinRoutes from './routes/paper-checkins';
import paperStationRoutes from './routes/paper-stations';
import paperProtocolRoutes from './routes/paper-protocols';
import { consoleSite, resultsUrlFor } from './site';

declare module 'fastify' {
  interface FastifyInstance {
    adminConfig: AdminConfig;
    /** Redis connection for reading BullMQ queues (dashboard, queue board); waits for Redis rather than failing. */
    queueReader: Redis;
  }
}

export interface AdminAppDeps {
  /** Use this database instead of opening one from DATABASE_URL (tests). */
  db?: Kysely<Database>;
  /** Use this Redis client instead of connecting to REDIS_URL (tests). */
  redis?: Redis;
}

/**
 * The officials' site (issue #12, docs/admin.md) as an app that never listens: staff
 * accounts with password and TOTP, roles checked on the server, the audit trail.
 */
export async function buildAdminApp(config: AdminConfig, deps: AdminAppDeps = {}, fastifyOptions: FastifyServerOptions = {}) {
  const app = Fastify({
    ...baseServerOptions(),
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
    ...fastifyOptions,
  });
  app.decorate('adminConfig', config);
  await app.register(errorHandlerPlugin, { prefix: 'ADMIN' });
  await app.register(observabilityPlugin, { service: 'admin' });
  await app.register(docsPlugin, { title: 'primaries officials\' site', description: 'Staff accounts, sign-in and the audit trail (docs/admin.md)' });
  await app.register(redisPlugin, { connection: config, prefix: config.REDIS_PREFIX, ...(deps.redis ? { client: deps.redis } : {}) });
  await app.register(dbPlugin, { url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, service: 'admin', ...(deps.db ? { db: deps.db } : {}) });
  // A fail-fast client refuses commands until connected: give it a moment at start (as the vote service does),
  // here, before the dashboard and the queue board open BullMQ queues on it: a queue opened on a client
  // still connecting fails for good ("Stream isn't writeable"; seen in e2e/admin.test.ts, the dashboard answered 503).
  // events.once rejects on the client's 'error' (Redis refusing): the service starts anyway and answers 503 until Redis is back.
  if (app.redis.status !== 'ready') await Promise.race([once(app.redis, 'ready'), sleep(2000, undefined, { ref: false })]).catch(() => undefined);
  // The dashboard's and the queue board's BullMQ queues read through a connection of their own that waits for Redis
  // (offline queue on): a Queue opened on the fail-fast client while Redis is away would fail for good.
  const queueReader = redisClient(config, { maxRetriesPerRequest: null, enableOfflineQueue: true });
  queueReader.on('error', () => undefined); // outages are reported by the shared client; this one just reconnects
  app.decorate('queueReader', queueReader);
  app.addHook('onClose', async () => {
    queueReader.disconnect();
  });
  // Its own limits, behind the gateway's: per client address, shared by every instance through Redis.
  await app.register(rateLimit, {
    global: true,
    max: config.ADMIN_RATE_LIMIT_MAX,
    timeWindow: 60_000,
    redis: app.redis,
    nameSpace: `${config.REDIS_PREFIX}:admin:ratelimit:`,
    allowList: (request) => /^\/(health|ready|metrics)$/.test(request.url),
  });
  await app.register(staffAuthPlugin, { config });
  await registerControlEffects(app);
  await app.register(electionChangesPlugin);
  // TOTP secrets in clear (from before their encryption) or under an older key: encrypted under the first key before listening.
  app.addHook('onReady', async () => {
    try {
      const done = await reencryptTotpSecrets(app.db, config.ADMIN_TOTP_KEYS);
      if (done.encrypted || done.rotated) app.log.info({ encrypted: done.encrypted, rotated: done.rotated }, 'staff TOTP secrets encrypted under the first ADMIN_TOTP_KEYS key');
      if (done.failed.length) app.log.error({ staff: done.failed }, 'staff TOTP secrets that no ADMIN_TOTP_KEYS key opens: those accounts cannot sign in');
    } catch (err) {
      app.log.warn({ err: { message: (err as Error).message } }, 'could not re-encrypt staff TOTP secrets now; the next start tries again');
    }
  });
  // What a change wrote to the audit trail goes out to the results site's copy at once
  // (the worker's tally publishes it too, with every snapshot).
  app.addHook('onResponse', async (request, reply) => {
    if (request.method !== 'POST' || reply.statusCode >= 500) return;
    publishAuditTrail(app.db, app.redis, config.REDIS_PREFIX).catch((err: unknown) => app.outages.reportOrLog(err, request.log, 'audit trail not published'));
  });

  await app.register(async (api) => {
    // @fastify/csrf-protection answers a bad token with its own FST_CSRF_* error: give it the catalogue's code.
    const shared = api.errorHandler;
    api.setErrorHandler(function csrfErrors(err, request, reply) {
      const code = (err as { code?: string }).code ?? '';
      return shared.call(this, code.startsWith('FST_CSRF_') ? new AdminErrors.CSRF() : err, request, reply);
    });
    await api.register(authRoutes);
    await api.register(enrolmentRoutes);
    await api.register(staffRoutes);
    await api.register(dashboardRoutes);
    await api.register(auditTrailRoutes);
    await api.register(controlComplaintRoutes);
    await api.register(controlDecisionRoutes);
    await api.register(lifecycleRoutes);
    await api.register(protocolRoutes);
    await api.register(paperStationRoutes);
    await api.register(paperCheckinRoutes);
    await api.register(paperProtocolRoutes);
    await api.register(electionImportRoutes);
    await api.register(memberStatusRoutes);
  }, { prefix: '/api/v1' });
  // Bull Board at /queues, organizers only (docs/admin.md).
  await queueBoardPlugin(app);
  // The console's pages and assets (services/admin/web, docs/admin.md#the-console).
  await app.register(staticSitePlugin, { site: consoleSite, data: { resultsUrl: resultsUrlFor(config.ADMIN_PUBLIC_URL) } });
  return app;
}
