import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTE_BODY_LIMITS } from '../limits';
import type { GatewayConfig } from '@primaries/config';
import type { GatewayMetrics } from '../metrics';
import { createUpstreamSet, forward, registerUpstream } from '../plugins/proxy';
import { registerSiteRateLimit } from '../plugins/rate-limit';

export interface AdminSiteOptions {
  config: GatewayConfig;
  metrics: GatewayMetrics;
}

/**
 * The officials' site (ADMIN_HOST, issue #12): every path is proxied to the admin service,
 * after a per-address rate limit of its own in Redis (shared by all gateway instances). No
 * other host reaches the admin service.
 */
export default async function adminSite(app: FastifyInstance, opts: AdminSiteOptions) {
  const { config, metrics } = opts;
  await registerUpstream(app, createUpstreamSet(app, 'admin', config.ADMIN_UPSTREAM, config), config.ADMIN_UPSTREAM);
  const checkRateLimit = await registerSiteRateLimit(app, {
    site: 'admin',
    max: config.RATE_LIMIT_ADMIN_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    redis: app.redis,
    nameSpace: `${app.redisPrefix}:gateway:ratelimit:admin:`,
    allowlist: config.RATE_LIMIT_ALLOWLIST,
    metrics,
  });
  app.addHook('onRequest', async (request) => {
    await checkRateLimit(request);
  });
  const handler = async (request: FastifyRequest, reply: FastifyReply) => forward(request, reply, { site: 'admin', metrics });
  // Routes with a body limit of their own (limits.ts); everything else takes the default.
  for (const { method, url, bodyLimit } of ROUTE_BODY_LIMITS.admin) app.route({ method, url, bodyLimit, schema: { hide: true }, handler });
  app.all('/*', { schema: { hide: true } }, handler);
}
