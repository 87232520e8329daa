import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerMatches, defineError, isOpsPath, rawErrorBody } from '@primaries/service-kit';
import { GatewayErrors } from './errors';
import { SITE_PREFIX, type Site, UNKNOWN_HOST_PREFIX, requestId } from './routing';

/**
 * What the gateway forwards (issue #8): it refuses, itself and before any upstream is
 * touched, a body larger than the route takes (413 GATEWAY_ERR_PAYLOAD_TOO_LARGE), a body
 * that is not JSON (415 GATEWAY_ERR_BAD_CONTENT_TYPE) and request headers larger than it
 * forwards (431 GATEWAY_ERR_HEADERS_TOO_LARGE). Bodies are read whole (at most the route's
 * limit) before forwarding, so an upstream never refuses mid-upload and the client's
 * kept-alive socket stays usable. docs/gateway.md lists the limits.
 */

/** Any route of a site without its own entry: the services' own body limit (service-kit). */
export const DEFAULT_BODY_LIMIT = 64 * 1024;

/** A complaint with 5 evidence files of 2 MB in base64, and its text (issue #14, docs/control.md). */
const COMPLAINT_BODY_LIMIT = 14 * 1024 * 1024;

/** Routes with a body limit other than the default (method, public path, bytes). */
export const ROUTE_BODY_LIMITS: Record<Site, ReadonlyArray<{ method: 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; bodyLimit: number }>> = {
  vote: [
    { method: 'POST', url: '/api/v1/auth/code', bodyLimit: 4 * 1024 },
    { method: 'POST', url: '/api/v1/auth/verify', bodyLimit: 4 * 1024 },
    { method: 'POST', url: '/api/v1/votes', bodyLimit: DEFAULT_BODY_LIMIT },
    { method: 'POST', url: '/api/v1/complaints', bodyLimit: COMPLAINT_BODY_LIMIT },
  ],
  results: [{ method: 'POST', url: '/api/v1/complaints', bodyLimit: COMPLAINT_BODY_LIMIT }],
  admin: [
    { method: 'POST', url: '/api/v1/auth/sign-in', bodyLimit: 4 * 1024 },
    { method: 'POST', url: '/api/v1/enrolment/start', bodyLimit: 4 * 1024 },
    { method: 'POST', url: '/api/v1/enrolment/complete', bodyLimit: 4 * 1024 },
  ],
};

/** Body media types the gateway forwards (every API takes JSON; `; charset=…` is accepted). */
export const FORWARDED_CONTENT_TYPES = ['application/json'] as const;

/**
 * Request header bytes (names + values, as received) the gateway forwards. Node refuses
 * more than 16 KiB itself (431); the gateway stays well under so that what it adds
 * (X-Forwarded-*, x-request-id) never pushes a forwarded request over an upstream's limit.
 */
const MAX_FORWARDED_HEADER_BYTES = 12 * 1024;

/** The body limit for a request the router will see at `internalPath` (after rewriteUrl). */
function bodyLimitFor(method: string, internalPath: string): number {
  const path = internalPath.split('?')[0] ?? '';
  for (const site of Object.keys(SITE_PREFIX) as Site[]) {
    const prefix = SITE_PREFIX[site];
    if (!path.startsWith(`${prefix}/`)) continue;
    const route = ROUTE_BODY_LIMITS[site].find((r) => r.method === method && prefix + r.url === path);
    return route?.bodyLimit ?? DEFAULT_BODY_LIMIT;
  }
  return DEFAULT_BODY_LIMIT;
}

const BAD_REQUEST = defineError('GATEWAY_ERR_BAD_REQUEST', 'The request could not be read', 400);

/**
 * onRequest check for a site context: refuses headers larger than the gateway forwards, and
 * a request with more than one Host (Node keeps the first; another reader might take the
 * other, so the gateway does not guess which site was meant).
 */
export function checkHeaderSize(request: FastifyRequest): void {
  const raw = request.raw.rawHeaders;
  let bytes = 0;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    bytes += name.length + (raw[i + 1]?.length ?? 0) + 4;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (bytes > MAX_FORWARDED_HEADER_BYTES) throw new GatewayErrors.HEADERS_TOO_LARGE();
  if (hosts > 1) throw new BAD_REQUEST();
}

/**
 * `Expect: 100-continue`: Node would answer 100 Continue to every such request. The
 * gateway first compares the announced Content-Length with the route's limit and refuses
 * an oversized body before the client sends it (413 and Connection: close, since the
 * client may not send it at all); anything else gets its 100 Continue and goes on as usual.
 * The Expect header itself is not forwarded (proxy.ts).
 */
export function handleExpectContinue(app: FastifyInstance, rewriteUrl: (req: IncomingMessage) => string): void {
  const server = app.server;
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > bodyLimitFor(req.method ?? 'GET', rewriteUrl(req))) {
      const code = 'GATEWAY_ERR_PAYLOAD_TOO_LARGE';
      res.shouldKeepAlive = false;
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'x-request-id': requestId(req), vary: 'Accept-Language' });
      res.end(rawErrorBody(req.headers, code, 'The request is too large'));
      app.log.info({ errorCode: code, method: req.method }, 'oversized body refused before 100 Continue');
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
  // Any other expectation: ignored (RFC 9110 §10.1.1 allows either), as Expect is not forwarded;
  // Node would answer a bare 417 of its own.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
}

/**
 * Largest refused body the gateway reads and discards to keep the client's socket usable.
 * Fastify answers a refused body with `Connection: close`; closing while the client is still
 * sending makes its kernel see a reset, often before it reads the 413. Up to this size the
 * gateway drains the body instead and the kept-alive socket answers the next request;
 * beyond it (or when the drain goes past it) the socket is closed.
 */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;

function drain(req: IncomingMessage): void {
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > DRAIN_MAX_BYTES) req.socket.destroy();
  });
  req.on('error', () => {});
  req.resume();
}

/** Keeps the socket of a refused body (413/415) alive by draining the body (see DRAIN_MAX_BYTES). */
export function keepAliveAfterRefusal(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const status = reply.statusCode;
    if ((status === 413 || status === 415) && reply.getHeader('connection') === 'close' && !request.raw.complete) {
      const announced = Number(request.headers['content-length']);
      if (!(announced > DRAIN_MAX_BYTES)) {
        reply.removeHeader('connection');
        drain(request.raw);
      }
    }
    done(null, payload);
  });
}

const OPS_NOT_FOUND = defineError('GATEWAY_ERR_NOT_FOUND', 'Not found', 404);

/**
 * The operational endpoints are not public (issue #8): the gateway's own /_gateway/ready,
 * /_gateway/metrics and /_gateway/docs, and the sites' /metrics, /ready and /docs, answer
 * 404 GATEWAY_ERR_NOT_FOUND unless the request bears `Authorization: Bearer <OPS_TOKEN>`
 * (required in production; when unset outside production they are open). /_gateway/health
 * stays open for load balancers; Kubernetes probes send the token (infra/k8s).
 */
export function gateOpsEndpoints(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', (request, _reply, done) => {
    const url = request.url;
    // After rewriteUrl: a site's path is under its internal prefix; the gateway's own are not.
    const sitePath = url.startsWith('/__') ? url.slice(url.indexOf('/', 3)) : null;
    const ops = sitePath === null ? (url.split('?', 1)[0] !== '/health' && isOpsPath(url)) : url.startsWith(UNKNOWN_HOST_PREFIX) ? false : isOpsPath(sitePath);
    if (ops && !bearerMatches(request.headers.authorization, token)) return done(new OPS_NOT_FOUND());
    done();
  });
}
