import fresh from 'fresh';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '@primaries/config';
import type { GatewayMetrics } from '../metrics';
import { CacheFiller, type FillResult } from '../plugins/cache-fill';
import { createUpstreamSet, forward, forwardedHeaders, registerUpstream, upstreamError, upstreamSource } from '../plugins/proxy';
import { registerSiteRateLimit } from '../plugins/rate-limit';
import { type CachedResponse, NOT_STORED, type ResultsCache, makeEntry, negotiateEncoding, storableFor } from '../plugins/results-cache';

export interface ResultsSiteOptions {
  config: GatewayConfig;
  metrics: GatewayMetrics;
  /** The cache, or null when RESULTS_GATEWAY_CACHE is off. */
  cache: ResultsCache | null;
}

// Answered by the cache instead: the upstream must send a full 200 we can store.
const CONDITIONAL = { 'if-none-match': undefined, 'if-modified-since': undefined, 'if-match': undefined, 'if-unmodified-since': undefined } as const;
const NOT_MODIFIED_DROPS = ['content-type', 'content-encoding', 'content-length', 'content-language', 'content-disposition'];

/** Answers from a stored entry: 304 when the client's validators match, else the stored 200. */
function serveEntry(request: FastifyRequest, reply: FastifyReply, entry: CachedResponse, metrics: GatewayMetrics, cacheStatus: 'HIT' | 'MISS'): FastifyReply {
  reply.headers(entry.headers);
  reply.header('age', String(Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000))));
  reply.header('x-cache', cacheStatus);
  if ((entry.etag || entry.lastModified) && fresh(request.headers, { etag: entry.etag, 'last-modified': entry.lastModified })) {
    metrics.cacheNotModified.inc();
    for (const name of NOT_MODIFIED_DROPS) reply.removeHeader(name);
    return reply.code(304).send();
  }
  return reply.code(200).send(entry.body);
}

/**
 * The results site (RESULTS_HOST): proxied to the results service, with GET answers kept in
 * gateway memory for their Cache-Control lifetime (see ResultsCache). The rate limit is in
 * process memory and applies only to requests that reach the upstream: hits cost no Redis
 * round trip (which would halve throughput, as measured in development) and results traffic never
 * touches the Redis that carries the vote queue.
 */
export default async function resultsSite(app: FastifyInstance, opts: ResultsSiteOptions) {
  const { config, metrics, cache } = opts;
  const upstream = createUpstreamSet(app, 'results', config.RESULTS_UPSTREAM, config);
  await registerUpstream(app, upstream, config.RESULTS_UPSTREAM);
  const checkRateLimit = await registerSiteRateLimit(app, {
    site: 'results',
    max: config.RATE_LIMIT_RESULTS_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    nameSpace: 'results',
    allowlist: config.RATE_LIMIT_ALLOWLIST,
    metrics,
  });

  // The same instances as reply-from's (closed with it), so a fill follows their health too.
  const filler = new CacheFiller(upstream, config);
  if (cache) {
    // A fill older than its deadline would mean waiters hang: report it, so the instance is replaced.
    const stuckAfterMs = config.GATEWAY_UPSTREAM_CONNECT_TIMEOUT_MS + config.GATEWAY_UPSTREAM_TIMEOUT_MS + 5000;
    app.readiness.set('results-cache', async () => {
      const stuck = cache.stuckFlights(stuckAfterMs);
      if (stuck > 0) throw new Error(`${stuck} results cache fill(s) unsettled after ${stuckAfterMs} ms`);
    });
  }

  /** The error answer for a failed fill, as forward() gives for a failed proxied request. */
  function sendUpstreamError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
    const err = upstreamError('results', error);
    metrics.upstreamErrors.inc({ site: 'results', code: err.code });
    request.log.warn({ site: 'results', errorCode: err.code, reason: (error as Error)?.message }, 'upstream request failed');
    const retryAfter = (err as { retryAfter?: number }).retryAfter;
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    return reply.code(err.statusCode ?? 502).type('application/json; charset=utf-8').send({ error: { code: err.code, message: err.message } });
  }

  /** A buffered upstream answer that is not stored, passed on as it came. */
  function sendAnswer(reply: FastifyReply, result: Extract<FillResult, { ok: true }>): FastifyReply {
    for (const [name, value] of Object.entries(result.headers)) if (value !== undefined && (!NOT_STORED.has(name) || name === 'set-cookie')) reply.header(name, value);
    return reply.code(result.statusCode).send(result.body);
  }

  async function pass(request: FastifyRequest, reply: FastifyReply, extraHeaders?: Record<string, string | undefined>) {
    metrics.cache.pass.inc();
    await checkRateLimit(request);
    return forward(request, reply, { site: 'results', metrics, ...(extraHeaders ? { extraHeaders } : {}) });
  }

  app.all('/*', { schema: { hide: true } }, async (request, reply) => {
    const method = request.method;
    if (!cache || (method !== 'GET' && method !== 'HEAD') || request.headers.range !== undefined) return pass(request, reply);

    const source = upstreamSource(request);
    const encoding = negotiateEncoding(request.headers['accept-encoding']);
    const key = `${source}\n${encoding}`;
    const acceptEncoding = { 'accept-encoding': encoding };

    const stored = cache.get(key);
    if (stored) {
      metrics.cache.hit.inc();
      return serveEntry(request, reply, stored, metrics, 'HIT');
    }
    if (method === 'HEAD') return pass(request, reply, acceptEncoding);

    const pending = cache.pending(key);
    if (pending) {
      const entry = await pending;
      if (entry) {
        metrics.cache.coalesced.inc();
        return serveEntry(request, reply, entry, metrics, 'HIT');
      }
      // The concurrent answer was not storable: fetch our own.
      return pass(request, reply, acceptEncoding);
    }

    // Claimed before any await, so concurrent misses find it and wait instead of racing upstream.
    const flight = cache.begin(key);
    try {
      await checkRateLimit(request);
    } catch (err) {
      flight.settle(null);
      throw err;
    }
    const upstreamHeaders = { ...acceptEncoding, ...CONDITIONAL };
    // The fill is not tied to this client: it settles the entry whatever the client does
    // (closes the socket, pipelines behind a slow answer), within the upstream timeout.
    let result: FillResult;
    try {
      result = await filler.fetch(source, forwardedHeaders(request, request.headers, upstreamHeaders));
    } catch (err) {
      // fetch never rejects; this is for the impossible case, so waiters never hang.
      flight.settle(null);
      throw err;
    }
    if (!result.ok) {
      flight.settle(null);
      return sendUpstreamError(request, reply, result.error);
    }
    const ttl = storableFor(source, { ...request.headers, ...upstreamHeaders }, result.statusCode, result.headers);
    if (ttl <= 0) {
      flight.settle(null);
      metrics.cache.pass.inc();
      return sendAnswer(reply, result);
    }
    const entry = makeEntry(result.headers, result.body, ttl);
    flight.settle(entry);
    metrics.cache.miss.inc();
    return serveEntry(request, reply, entry, metrics, 'MISS');
  });
}
