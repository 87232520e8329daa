import type { Lang } from '@primaries/i18n';
import { NetworkError, parseRetryAfter } from './api';

/** What one conditional GET learnt: new data, "not modified", or why there is none. */
export type PollResult<T> =
  | { kind: 'fresh'; data: T; etag: string | null; nextInSeconds: number }
  | { kind: 'same'; nextInSeconds: number }
  | { kind: 'unavailable'; status: number; code: string | null; nextInSeconds: number };

/** Never poll sooner than this, whatever the answer says (a crowd of pages must not hammer). */
export const POLL_MIN_SECONDS = 2;
/** Nor later than this: the page stays roughly current even behind a cache that says a day. */
export const POLL_MAX_SECONDS = 600;

/** `max-age` of a Cache-Control header, in seconds; null without one (or with no-store/no-cache). */
export function maxAgeOf(cacheControl: string | null): number | null {
  if (!cacheControl || /\bno-(store|cache)\b/i.test(cacheControl)) return null;
  const m = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
  return m ? Number(m[1]) : null;
}

const clamp = (s: number) => Math.min(POLL_MAX_SECONDS, Math.max(POLL_MIN_SECONDS, s));

/**
 * One GET that respects the results' caching: it sends the ETag it holds as If-None-Match
 * (a 304 costs the server nothing and the page keeps its data), and says when to ask again:
 * when the answer's Cache-Control max-age runs out (the next refresh), after Retry-After
 * when the results are not ready, or `fallbackSeconds`. The browser's own cache is bypassed
 * (`no-store`) so that the 304 reaches the page and the ETag is ours to send.
 */
export async function conditionalGet<T>(url: string, opts: { etag: string | null; lang: Lang; fallbackSeconds?: number; signal?: AbortSignal }): Promise<PollResult<T>> {
  const fallback = opts.fallbackSeconds ?? 30;
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': opts.lang };
  if (opts.etag) headers['if-none-match'] = opts.etag;
  let res: Response;
  try {
    // `cache` is typed for browsers only (DOM lib); Node's fetch accepts it as well.
    const init: RequestInit & { cache: 'no-store' } = { headers, cache: 'no-store', signal: opts.signal ?? null };
    res = await fetch(url, init);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new NetworkError((err as Error).message);
  }
  const next = clamp(maxAgeOf(res.headers.get('cache-control')) ?? fallback);
  if (res.status === 304) return { kind: 'same', nextInSeconds: next };
  if (!res.ok) {
    let code: string | null = null;
    try {
      code = ((await res.json()) as { error?: { code?: string } }).error?.code ?? null;
    } catch {
      // Not our JSON (a proxy's page): the status is all there is.
    }
    return { kind: 'unavailable', status: res.status, code, nextInSeconds: clamp(parseRetryAfter(res.headers.get('retry-after')) ?? fallback) };
  }
  return { kind: 'fresh', data: (await res.json()) as T, etag: res.headers.get('etag'), nextInSeconds: next };
}
