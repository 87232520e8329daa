import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROUTE_BODY_LIMITS } from '../limits';
import type { GatewayConfig } from '@primaries/config';
import type { GatewayMetrics } from '../metrics';
import { createUpstreamSet, forward, registerUpstream } from '../plugins/proxy';
import { registerSiteRateLimit } from '../plugins/rate-limit';

export interface VoteSiteOptions {
  config: GatewayConfig;
  metrics: GatewayMetrics;
}

/**
 * The vote site (VOTE_HOST): every path is proxied to the vote service, after a per-address
 * rate limit kept in Redis so that all gateway instances share one count.
 */
export default async function voteSite(app: FastifyInstance, opts: VoteSiteOptions) {
  const { config, metrics } = opts;
  await registerUpstream(app, createUpstreamSet(app, 'vote', config.VOTE_UPSTREAM, config), config.VOTE_UPSTREAM);
  const checkRateLimit = await registerSiteRateLimit(app, {
    site: 'vote',
    max: config.RATE_LIMIT_VOTE_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    redis: app.redis,
    nameSpace: `${app.redisPrefix}:gateway:ratelimit:vote:`,
    allowlist: config.RATE_LIMIT_ALLOWLIST,
    metrics,
  });
  app.addHook('onRequest', async (request) => {
    await checkRateLimit(request);
  });
  const handler = async (request: FastifyRequest, reply: FastifyReply) => forward(request, reply, { site: 'vote', metrics });
  // Routes with a body limit of their own (limits.ts); everything else takes the default.
  for (const { method, url, bodyLimit } of ROUTE_BODY_LIMITS.vote) app.route({ method, url, bodyLimit, schema: { hide: true }, handler });
  app.all('/*', { schema: { hide: true } }, handler);
}
