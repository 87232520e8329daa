import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The sites behind the gateway, picked by the Host header. */
export type Site = 'vote' | 'results' | 'admin';

/**
 * Internal path prefixes the router sees after `rewriteUrl`. The public path space of each
 * site stays untouched (so `/health` on the vote host is the vote service's own /health);
 * the gateway's own endpoints live under `/_gateway/` on any host.
 */
export const SITE_PREFIX = { vote: '/__vote', results: '/__results', admin: '/__admin' } as const satisfies Record<Site, string>;
export const UNKNOWN_HOST_PREFIX = '/__unknown';
const OWN_PREFIX = '/_gateway';

/** Lower-cased host name without port or trailing dot; '' when absent. `[::1]:8080` → `[::1]`. */
function normalizeHost(host: string | undefined): string {
  if (!host) return '';
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end === -1 ? h : h.slice(0, end + 1);
  } else {
    const colon = h.lastIndexOf(':');
    if (colon !== -1) h = h.slice(0, colon);
  }
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

/**
 * Builds Fastify's `rewriteUrl`: it runs before routing, so one static prefix per site
 * gives cheap routing by Host without regex constraints, and leaves `/health` etc. of
 * a known host free to be proxied.
 */
export function hostRewriter(hosts: Record<Site, string>) {
  const vote = normalizeHost(hosts.vote);
  const results = normalizeHost(hosts.results);
  const admin = normalizeHost(hosts.admin);
  if (new Set([vote, results, admin]).size !== 3) throw new Error('VOTE_HOST, RESULTS_HOST and ADMIN_HOST must differ');
  return function rewriteUrl(req: IncomingMessage): string {
    const url = req.url ?? '/';
    if (url === OWN_PREFIX || url.startsWith(`${OWN_PREFIX}/`) || url.startsWith(`${OWN_PREFIX}?`)) {
      const rest = url.slice(OWN_PREFIX.length) || '/';
      // The internal prefixes are not reachable from outside: that would bypass the Host check.
      return rest.startsWith('/__') ? '/__not_found' : rest.startsWith('/') ? rest : `/${rest}`;
    }
    const host = normalizeHost(req.headers.host);
    const path = url.startsWith('/') ? url : `/${url}`;
    if (host === vote) return SITE_PREFIX.vote + path;
    if (host === results) return SITE_PREFIX.results + path;
    if (host === admin) return SITE_PREFIX.admin + path;
    return UNKNOWN_HOST_PREFIX + path;
  };
}

/** A request id a client or an outer proxy may set: short, no spaces, quotes or control characters. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{8,128}$/;

/** Fastify `genReqId`: keeps a sane incoming `x-request-id`, else makes a UUID. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
