import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingHttpHeaders as Http2IncomingHttpHeaders } from 'node:http2';
import replyFrom, { type FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '@primaries/config';
import { GatewayErrors } from '../errors';
import { DEFAULT_BODY_LIMIT, FORWARDED_CONTENT_TYPES, checkHeaderSize } from '../limits';
import type { GatewayMetrics } from '../metrics';
import type { Site } from '../routing';
import { UpstreamSet, errorCodes } from './upstream-set';

type AnyHeaders = IncomingHttpHeaders | Http2IncomingHttpHeaders;

/** Seconds a client should wait before retrying when an upstream is down. */
const UPSTREAM_RETRY_AFTER_SECONDS = 5;

declare module 'fastify' {
  interface FastifyInstance {
    /** Each site's upstream instances (set by the site plugins), reported by /_gateway/ready. */
    gatewayUpstreams: Map<Site, UpstreamSet>;
  }
}

/**
 * One site's upstream instances (UpstreamSet): an undici keep-alive pool per instance sized
 * for 1,000 concurrent clients, bounded connect and response timeouts so nothing hangs, health
 * changes logged. Registered in `app.gatewayUpstreams`; destroyed with the app (by reply-from).
 */
export function createUpstreamSet(app: FastifyInstance, site: Site, urls: readonly string[], config: GatewayConfig): UpstreamSet {
  const set = new UpstreamSet({
    site,
    urls,
    pool: {
      connections: config.GATEWAY_UPSTREAM_CONNECTIONS,
      pipelining: 1,
      connectTimeout: config.GATEWAY_UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeout: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
      bodyTimeout: config.GATEWAY_UPSTREAM_TIMEOUT_MS,
      keepAliveTimeout: 30_000,
    },
    probeIntervalMs: config.GATEWAY_UPSTREAM_PROBE_INTERVAL_MS,
    probeTimeoutMs: Math.min(config.GATEWAY_UPSTREAM_CONNECT_TIMEOUT_MS, config.GATEWAY_UPSTREAM_PROBE_INTERVAL_MS),
    registry: app.metrics,
    onChange: (instance) => {
      if (instance.healthy) app.log.info({ site, instance: instance.url }, 'upstream instance back in');
      else app.log.warn({ site, instance: instance.url, reason: instance.reason }, 'upstream instance taken out');
    },
  });
  app.gatewayUpstreams.set(site, set);
  return set;
}

/**
 * Registers @fastify/reply-from for one upstream in the calling (encapsulated) site context,
 * sending through the site's UpstreamSet, with request bodies passed through unparsed.
 */
export async function registerUpstream(app: FastifyInstance, upstream: UpstreamSet, urls: readonly string[]): Promise<void> {
  // Only JSON bodies are forwarded (anything else: 415), read whole up to the route's limit
  // (413) but never parsed: an upstream must not refuse a body mid-upload (limits.ts).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...FORWARDED_CONTENT_TYPES], { parseAs: 'buffer', bodyLimit: DEFAULT_BODY_LIMIT }, (_request, body, done) => done(null, body));
  app.addHook('onRequest', (request, _reply, done) => {
    try {
      checkHeaderSize(request);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  await app.register(replyFrom, {
    // The origin is the instance's (UpstreamSet); base only makes reply-from accept paths.
    base: urls[0]!,
    disableRequestLogging: true,
    // reply-from only closes its undici dispatcher (here: the instances' pools) on app close with this set.
    destroyAgent: true,
    undici: upstream,
  });
}

// Anything a client could use to claim another address or host; replaced by the gateway's own.
// Also Expect (the gateway answered it) and the body framing (the body is re-sent whole, and
// undici frames it; a GET's body is not forwarded at all).
const FORWARDING_HEADERS = new Set([
  'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-real-ip', 'x-client-ip',
  'expect', 'content-length', 'transfer-encoding',
]);

declare module 'fastify' {
  interface FastifyRequest {
    /** `request.ip` once resolved (see clientIp); null until then. */
    gatewayClientIp: string | null;
  }
}

/**
 * The client address (`request.ip`), resolved once per request. Fastify's getter runs
 * proxy-addr (parse X-Forwarded-For, check each hop against TRUSTED_PROXIES) on every
 * read, and a proxied vote read it three times.
 */
export function clientIp(request: FastifyRequest): string {
  return (request.gatewayClientIp ??= request.ip);
}

/**
 * The headers sent upstream: X-Forwarded-For is exactly the client address the gateway
 * resolved (`request.ip`, which honours X-Forwarded-For only from TRUSTED_PROXIES), so a
 * client cannot prepend a spoofed chain; plus X-Forwarded-Host/Proto and the request id.
 */
export function forwardedHeaders(request: FastifyRequest, headers: AnyHeaders, extra: Record<string, string | undefined> = {}): AnyHeaders {
  // Copied without the forwarding headers rather than spread and `delete`d: deleting keys
  // turns the object into a slow dictionary on every request.
  const out: Record<string, string | string[] | undefined> = {};
  for (const name in headers) if (!FORWARDING_HEADERS.has(name)) out[name] = (headers as Record<string, string | string[] | undefined>)[name];
  out['x-forwarded-for'] = clientIp(request);
  out['x-forwarded-host'] = request.headers.host ?? '';
  out['x-forwarded-proto'] = request.protocol;
  out['x-request-id'] = request.id;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}

// A connection the upstream dropped or reset (a service killed mid-request) counts as down:
// 503 + Retry-After, so clients come back (issue #8's fault suite saw 502s there).
const UNAVAILABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'FST_REPLY_FROM_SERVICE_UNAVAILABLE', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED', 'UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'FST_REPLY_FROM_TIMEOUT', 'FST_REPLY_FROM_GATEWAY_TIMEOUT', 'FST_REPLY_FROM_HTTP_REQUEST_TIMEOUT']);

// Error codes along the cause chain (reply-from wraps undici's; undici may wrap an AggregateError).
const codesOf = errorCodes;

/** Maps a failed upstream request to 503 (down, with Retry-After), 504 (timeout) or 502. */
export function upstreamError(site: Site, error: unknown) {
  const codes = codesOf(error);
  if (codes.some((c) => TIMEOUT.has(c))) return new GatewayErrors.UPSTREAM_TIMEOUT(site);
  if (codes.some((c) => UNAVAILABLE.has(c))) return Object.assign(new GatewayErrors.UPSTREAM_UNAVAILABLE(site), { retryAfter: UPSTREAM_RETRY_AFTER_SECONDS });
  return new GatewayErrors.UPSTREAM_FAILED(site);
}

export interface ForwardOptions {
  site: Site;
  metrics: GatewayMetrics;
  /** Headers to set (or, with undefined, remove) on the upstream request. */
  extraHeaders?: Record<string, string | undefined>;
  onResponse?: FastifyReplyFromHooks['onResponse'];
  /** Called when the upstream request failed, after the error answer was sent. */
  onFailure?: () => void;
}

/** The path and query to request upstream; only origin-form targets are forwarded. */
export function upstreamSource(request: FastifyRequest): string {
  const url = request.originalUrl;
  if (!url.startsWith('/') || url.startsWith('//')) throw new GatewayErrors.BAD_PATH();
  return url;
}

/** Proxies the request to this context's upstream (reply-from); retries only as UpstreamSet allows. */
export function forward(request: FastifyRequest, reply: FastifyReply, opts: ForwardOptions): FastifyReply {
  const source = upstreamSource(request);
  const hooks: FastifyReplyFromHooks = {
    // No retries by reply-from: UpstreamSet retries on another instance where that is safe
    // (votes are not idempotent, and a retry storm is the last thing a struggling upstream needs).
    retryDelay: () => null,
    rewriteRequestHeaders: (req, headers) => forwardedHeaders(req as FastifyRequest, headers, opts.extraHeaders),
    onError: (failedReply, { error }) => {
      const err = upstreamError(opts.site, error);
      opts.metrics.upstreamErrors.inc({ site: opts.site, code: err.code });
      // Not `code`: the shared logger redacts that key (one-time codes).
      failedReply.request.log.warn({ site: opts.site, errorCode: err.code, cause: codesOf(error).join(','), reason: error.message }, 'upstream request failed');
      const retryAfter = (err as { retryAfter?: number }).retryAfter;
      if (retryAfter !== undefined) failedReply.header('retry-after', String(retryAfter));
      // Sent directly (not thrown to the shared handler, which hides 5xx messages): which site failed is useful to a client.
      failedReply.code(err.statusCode ?? 502).type('application/json; charset=utf-8').send({ error: { code: err.code, message: err.message } });
      opts.onFailure?.();
    },
  };
  if (opts.onResponse) hooks.onResponse = opts.onResponse;
  // The body read whole (a Buffer) goes as it came: reply-from would JSON-encode it otherwise.
  if (Buffer.isBuffer(request.body)) {
    hooks.body = request.body;
    hooks.contentType = String(request.headers['content-type']);
  }
  try {
    return reply.from(source, hooks);
  } catch (err) {
    // reply-from rejects `..` segments and malformed percent-encoding synchronously.
    if ((err as { statusCode?: number }).statusCode === 400 || err instanceof URIError) throw new GatewayErrors.BAD_PATH();
    throw err;
  }
}
