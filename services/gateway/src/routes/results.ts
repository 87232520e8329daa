import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import fresh from 'fresh';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '@primaries/config';
import { GatewayErrors } from '../errors';
import type { GatewayMetrics } from '../metrics';
import { forward, registerUpstream, upstreamSource } from '../plugins/proxy';
import { registerSiteRateLimit } from '../plugins/rate-limit';
import { type CachedResponse, type ResultsCache, makeEntry, negotiateEncoding, storableFor } from '../plugins/results-cache';

interface UpstreamAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  stream: Readable;
}

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
 * round trip (which would halve throughput, MEASUREMENTS.md) and results traffic never
 * touches the Redis that carries the vote queue.
 */
export default async function resultsSite(app: FastifyInstance, opts: ResultsSiteOptions) {
  const { config, metrics, cache } = opts;
  await registerUpstream(app, config.RESULTS_UPSTREAM, config);
  const checkRateLimit = await registerSiteRateLimit(app, {
    site: 'results',
    max: config.RATE_LIMIT_RESULTS_MAX,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    nameSpace: 'results',
    allowlist: config.RATE_LIMIT_ALLOWLIST,
    metrics,
  });

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
    // Whatever happens to this request (refused, client gone, upstream error), waiters must not hang.
    reply.raw.once('close', () => flight.settle(null));
    try {
      await checkRateLimit(request);
    } catch (err) {
      flight.settle(null);
      throw err;
    }
    const upstreamHeaders = { ...acceptEncoding, ...CONDITIONAL };
    return forward(request, reply, {
      site: 'results',
      metrics,
      extraHeaders: upstreamHeaders,
      onFailure: () => flight.settle(null),
      onResponse: (_req, _rep, raw) => {
        // What reply-from hands over (its typings describe a server response; it is undici's answer).
        const res = raw as unknown as UpstreamAnswer;
        const forwardedRequestHeaders = { ...request.headers, ...upstreamHeaders };
        const ttl = storableFor(source, forwardedRequestHeaders, res.statusCode, res.headers);
        if (ttl <= 0) {
          metrics.cache.pass.inc();
          flight.settle(null);
          reply.send(res.stream);
          return;
        }
        buffer(res.stream).then(
          (body) => {
            const entry = makeEntry(res.headers, body, ttl);
            flight.settle(entry);
            metrics.cache.miss.inc();
            serveEntry(request, reply, entry, metrics, 'MISS');
          },
          (err: Error) => {
            flight.settle(null);
            request.log.warn({ site: 'results', err: { message: err.message } }, 'upstream body failed');
            if (reply.sent) return;
            const failed = new GatewayErrors.UPSTREAM_FAILED('results');
            metrics.upstreamErrors.inc({ site: 'results', code: failed.code });
            reply.code(502).type('application/json; charset=utf-8').send({ error: { code: failed.code, message: failed.message } });
          },
        );
      },
    });
  });
}
