import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Encoding, Resource } from './render';

const encodingCache = new Map<string, Encoding>();

/** Picks br, then gzip, then identity from Accept-Encoding (q=0 refuses); memoised per header value. */
function pickEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const hit = encodingCache.get(header);
  if (hit) return hit;
  const accepted = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (n: string) => (accepted.get(n) ?? accepted.get('*') ?? 0) > 0;
  const enc: Encoding = ok('br') ? 'br' : ok('gzip') ? 'gzip' : 'identity';
  if (encodingCache.size < 256) encodingCache.set(header, enc);
  return enc;
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  // If-None-Match uses the weak comparison: W/"x" matches "x".
  return header.split(',').some((t) => {
    const tag = t.trim();
    return (tag.startsWith('W/') ? tag.slice(2) : tag) === etag;
  });
}

/**
 * Answers a pre-rendered resource: the negotiated variant with its fixed headers, a
 * Cache-Control that runs out at the next refresh, and 304 on If-None-Match or
 * If-Modified-Since. No serialization, no compression per request.
 */
export function sendResource(request: FastifyRequest, reply: FastifyReply, resource: Resource, now = Date.now()) {
  const variant = resource[pickEncoding(request.headers['accept-encoding'])];
  const maxAge = resource.expiresAtMs === null ? resource.maxAge : Math.max(1, Math.ceil((resource.expiresAtMs - now) / 1000));
  reply.headers(variant.headers).header('cache-control', `public, max-age=${maxAge}`);
  const inm = request.headers['if-none-match'];
  const ims = request.headers['if-modified-since'];
  let notModified = false;
  if (inm !== undefined) notModified = etagMatches(inm, variant.etag);
  else if (ims !== undefined) {
    const t = Date.parse(ims);
    notModified = !Number.isNaN(t) && resource.lastModifiedMs <= t;
  }
  if (notModified) {
    reply.removeHeader('content-type');
    reply.removeHeader('content-encoding');
    return reply.code(304).send();
  }
  return reply.send(variant.body);
}
