import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '@primaries/config';
import type { GatewayMetrics } from '../metrics';
import { forward, registerUpstream } from '../plugins/proxy';
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
  await registerUpstream(app, config.VOTE_UPSTREAM, config);
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
  app.all('/*', { schema: { hide: true } }, async (request, reply) => forward(request, reply, { site: 'vote', metrics }));
}
