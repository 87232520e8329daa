import type { Lang } from '@primaries/i18n';

/** An API error body's `error` (docs/api.md): a stable code, words, and any extra fields. */
export interface ApiError {
  code: string;
  message: string;
  [extra: string]: unknown;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  | { ok: false; status: number; error: ApiError; retryAfter: number | null; headers: Headers };

/** The request never got an answer: the connection failed or dropped. Whether it arrived is unknown. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Bearer token of a signed-in member. */
  token?: string | null;
  /** Sent as Accept-Language: the API answers names and error words in it. */
  lang: Lang;
  /** Headers of the caller's own (the console's CSRF token). */
  headers?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** Retry-After in seconds, from delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/** One call to the API: JSON in, JSON out, errors as values (never thrown), NetworkError when no answer came. */
export async function apiRequest<T>(path: string, opts: RequestOptions): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...opts.headers, accept: 'application/json', 'accept-language': opts.lang };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let res: Response;
  let text: string;
  try {
    res = await fetch(path, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? null : JSON.stringify(opts.body), signal: opts.signal ?? null });
    text = await res.text();
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new NetworkError((err as Error).message);
  }
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML page: keep the status, invent no code.
  }
  if (res.ok) return { ok: true, status: res.status, data: json as T, headers: res.headers };
  const error = (json as { error?: ApiError } | null)?.error ?? { code: `HTTP_${res.status}`, message: res.statusText };
  return { ok: false, status: res.status, error, retryAfter: parseRetryAfter(res.headers.get('retry-after')), headers: res.headers };
}

/** Longest Retry-After the waiting room sits out; beyond it the page shows its own screen. */
export const WAITING_ROOM_MAX_SECONDS = 300;

/**
 * True for "busy, come back in N s": any 503, and a 429 that is a rate limit, when the answer
 * says when. Other 429s (an hourly code limit) are states of their own, not a queue.
 */
export function isBusy(r: ApiResult<unknown>): r is Extract<ApiResult<unknown>, { ok: false }> & { retryAfter: number } {
  if (r.ok || r.retryAfter === null || r.retryAfter > WAITING_ROOM_MAX_SECONDS) return false;
  return r.status === 503 || (r.status === 429 && /_ERR_RATE_LIMITED$/.test(r.error.code));
}

export interface WaitingRoomOptions {
  /** Called with the seconds to wait before each retry, and a function that retries at once. */
  onWait(seconds: number, retryNow: () => void): void;
  /** Called when a retry goes out. */
  onRetry?(): void;
  signal?: AbortSignal;
}

/**
 * Calls until the answer is not "busy": after a 503 or a rate limit it waits Retry-After
 * (plus up to 20 % so that a crowd does not come back in step) and calls again. Use it only
 * for calls that are safe to repeat: a 503 from the API means nothing was kept.
 */
export async function withWaitingRoom<T>(call: () => Promise<ApiResult<T>>, opts: WaitingRoomOptions): Promise<ApiResult<T>> {
  for (;;) {
    const r = await call();
    if (!isBusy(r)) return r;
    const ms = r.retryAfter * 1000 * (1 + Math.random() * 0.2);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      opts.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new DOMException('aborted', 'AbortError'));
      });
      opts.onWait(r.retryAfter, wake);
    });
    opts.onRetry?.();
  }
}
