import { BlockList, isIPv4, isIPv6 } from 'node:net';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { GatewayErrors } from '../errors';
import type { GatewayMetrics } from '../metrics';
import type { Site } from '../routing';
import { clientIp } from './proxy';

export interface SiteRateLimitOptions {
  site: Site;
  max: number;
  windowSeconds: number;
  /** Redis-backed (shared by every gateway instance) when given; in this process's memory otherwise. */
  redis?: Redis;
  /** Key namespace in Redis, under REDIS_PREFIX. */
  nameSpace: string;
  /** Client addresses never limited (CIDRs or bare addresses). */
  allowlist: readonly string[];
  metrics: GatewayMetrics;
}

export type RateLimitCheck = (request: FastifyRequest) => Promise<void>;

/** A CIDR list as a matcher of client addresses (node's BlockList, no hand-rolled bit maths). */
function cidrMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  if (cidrs.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of cidrs) {
    const [addr = '', bits] = entry.split('/');
    const type = isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (!isIPv4(addr) && !isIPv6(addr)) throw new Error(`not an IP address or CIDR: ${entry}`);
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    // IPv4-mapped IPv6 (::ffff:1.2.3.4) is how dual-stack sockets report IPv4 clients.
    const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
    return list.check(v4, isIPv6(v4) ? 'ipv6' : 'ipv4');
  };
}

/**
 * Registers @fastify/rate-limit in the calling (encapsulated) site context and returns a
 * check to call where the limit should apply. Used through `createRateLimit()` rather than
 * the plugin's own hook so that a failing store (Redis down) is counted and let through
 * instead of answering 500: the gateway must keep serving without Redis.
 */
export async function registerSiteRateLimit(app: FastifyInstance, opts: SiteRateLimitOptions): Promise<RateLimitCheck> {
  const allowed = cidrMatcher(opts.allowlist);
  await app.register(rateLimit, {
    global: false,
    max: opts.max,
    timeWindow: opts.windowSeconds * 1000,
    skipOnError: false,
    allowList: (request) => allowed(clientIp(request)),
    ...(opts.redis ? { redis: opts.redis, nameSpace: opts.nameSpace } : { cache: 100_000 }),
  });
  const limiter = app.createRateLimit();
  let lastWarning = 0;
  return async function checkRateLimit(request) {
    let verdict: Awaited<ReturnType<typeof limiter>>;
    try {
      verdict = await limiter(request);
    } catch (err) {
      opts.metrics.rateLimitErrors.inc({ site: opts.site });
      // One warning per 10 s, not one per request, while the store is away.
      if (Date.now() - lastWarning > 10_000) {
        lastWarning = Date.now();
        request.log.warn({ site: opts.site, err: { message: (err as Error).message } }, 'rate-limit store failed; serving without limits');
      }
      return;
    }
    if (!verdict.isAllowed && verdict.isExceeded) {
      opts.metrics.rateLimited.inc({ site: opts.site });
      const retryAfter = Math.max(1, verdict.ttlInSeconds);
      throw Object.assign(new GatewayErrors.RATE_LIMITED(String(retryAfter)), { retryAfter });
    }
  };
}
