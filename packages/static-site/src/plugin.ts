import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fresh from 'fresh';
import { type Asset, type BuiltSite, type SiteDefinition, buildSite, renderPage } from './build';

/** Hashed assets never change under their name: a year, immutable. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** The page names the current assets, so it is revalidated on every load (a cheap 304). */
export const PAGE_CACHE_CONTROL = 'no-cache';

/**
 * Only our own origin, ever: no third-party host can serve a script, a style, a font or
 * receive a request. Inline script is refused too (the data block is JSON, not script).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const builds = new Map<string, Promise<BuiltSite>>();

/** One build per site per process, shared by every app that serves it; a failed build is retried. */
export function siteBuild(def: SiteDefinition): Promise<BuiltSite> {
  let b = builds.get(def.entry);
  if (!b) {
    b = buildSite(def);
    builds.set(def.entry, b);
    b.catch(() => builds.delete(def.entry));
  }
  return b;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset, cacheControl: string) {
  const enc = (negotiate(request.headers['accept-encoding'] ?? '', ['br', 'gzip', 'identity']) ?? 'identity');
  const etag = `"${asset.tag}.${enc}"`;
  reply.header('etag', etag).header('cache-control', cacheControl).header('vary', 'Accept-Encoding').header('x-content-type-options', 'nosniff');
  if (fresh(request.headers, { etag })) return reply.code(304).send();
  reply.header('content-type', asset.type);
  if (enc !== 'identity') reply.header('content-encoding', enc);
  return reply.send(asset[enc]);
}

export interface StaticSiteOptions {
  site: SiteDefinition;
  /** Settings the page reads at start (`readSiteData()` in @primaries/ui): hotline, hosts. */
  data?: Readonly<Record<string, unknown>>;
}

/**
 * Serves a site from an app: its pages (`site.pages`) and `/assets/*`, precompressed
 * (brotli, gzip), with ETags, long cache lifetimes for hashed files and a strict CSP. The
 * build runs once per process, when the server starts listening or on the first request,
 * so apps built by tests that never ask for a page pay nothing.
 */
export async function staticSitePlugin(app: FastifyInstance, opts: StaticSiteOptions): Promise<void> {
  let page: Promise<Asset> | null = null;
  const load = () => {
    page ??= siteBuild(opts.site).then((s) => renderPage(s, opts.data ?? {}));
    page.catch(() => (page = null));
    return page;
  };
  app.addHook('onListen', async () => {
    load().catch((err: Error) => app.log.error({ err: { message: err.message } }, `site ${opts.site.name} failed to build`));
  });
  for (const url of opts.site.pages ?? ['/']) {
    app.get(url, { schema: { hide: true } }, async (request, reply) => {
      const html = await load();
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');
      return send(request, reply, html, PAGE_CACHE_CONTROL);
    });
  }
  app.get('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const built = await siteBuild(opts.site);
    const asset = built.assets.get(request.url.split('?')[0] ?? '');
    if (!asset) return reply.callNotFound();
    return send(request, reply, asset, ASSET_CACHE_CONTROL);
  });
}
