import { Counter, type Registry } from 'prom-client';

/** The gateway's own Prometheus series, registered in the app's registry (`app.metrics`). */
export function createGatewayMetrics(registry: Registry) {
  const metrics = {
    rateLimited: new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429 by the gateway rate limit',
      labelNames: ['site'],
      registers: [registry],
    }),
    rateLimitErrors: new Counter({
      name: 'gateway_rate_limit_errors_total',
      help: 'Requests let through unlimited because the rate-limit store (Redis) failed',
      labelNames: ['site'],
      registers: [registry],
    }),
    upstreamErrors: new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Requests the gateway answered itself because the upstream failed, by error code',
      labelNames: ['site', 'code'],
      registers: [registry],
    }),
    cacheRequests: new Counter({
      name: 'gateway_results_cache_requests_total',
      help: 'Results GET/HEAD requests by cache outcome: hit, miss (fetched and stored), coalesced (waited for a concurrent miss), pass (not cacheable or cache off)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    cacheNotModified: new Counter({
      name: 'gateway_results_cache_not_modified_total',
      help: 'Results requests answered 304 by the gateway from its cache (If-None-Match / If-Modified-Since)',
      registers: [registry],
    }),
  };
  // Label children bound once: the hit path should not hash label objects per request.
  const cache = {
    hit: metrics.cacheRequests.labels('hit'),
    miss: metrics.cacheRequests.labels('miss'),
    coalesced: metrics.cacheRequests.labels('coalesced'),
    pass: metrics.cacheRequests.labels('pass'),
  };
  return { ...metrics, cache };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
