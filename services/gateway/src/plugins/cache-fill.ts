import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayConfig } from '@primaries/config';
import type { UpstreamSet } from './upstream-set';

/** What the upstream answered to a cache fill: a whole buffered answer, or the error that stopped it. */
export type FillResult =
  | { ok: true; statusCode: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
  | { ok: false; error: unknown };

// Hop-by-hop and framing headers: undici refuses some of them, and none belong upstream.
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect', 'content-length', 'host']);

/** Largest answer a fill buffers; results answers are far smaller. */
const MAX_FILL_BYTES = 32 * 1024 * 1024;

/**
 * Fetches the answer that fills a results-cache entry, detached from the client that missed:
 * the fetch runs to completion (or fails) within GATEWAY_UPSTREAM_TIMEOUT_MS whatever that
 * client does — closes its socket, pipelines, never reads — so the single-flight entry always
 * settles and its waiters are never left hanging (issue #8). Through the site's UpstreamSet
 * (a GET: retried on another instance if one fails).
 */
export class CacheFiller {
  constructor(private readonly pool: UpstreamSet, private readonly config: GatewayConfig) {}

  /** Never rejects; resolves within the upstream timeout (plus the connect timeout). */
  async fetch(path: string, headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>): Promise<FillResult> {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) if (value !== undefined && !NOT_FORWARDED.has(name)) out[name] = value;
    // Host: the instance's own (undici sets it).
    try {
      const res = await this.pool.request({
        path,
        method: 'GET',
        headers: out,
        signal: AbortSignal.timeout(this.config.GATEWAY_UPSTREAM_CONNECT_TIMEOUT_MS + this.config.GATEWAY_UPSTREAM_TIMEOUT_MS),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_FILL_BYTES) {
          res.body.destroy();
          throw Object.assign(new Error('upstream answer too large to buffer'), { code: 'GATEWAY_FILL_TOO_LARGE' });
        }
        chunks.push(chunk as Buffer);
      }
      return { ok: true, statusCode: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
    } catch (error) {
      // An abort by our own deadline counts as an upstream timeout.
      if ((error as { name?: string }).name === 'TimeoutError' || (error as { name?: string }).name === 'AbortError') {
        return { ok: false, error: Object.assign(new Error('upstream did not answer in time'), { code: 'ETIMEDOUT', cause: error }) };
      }
      return { ok: false, error };
    }
  }
}
