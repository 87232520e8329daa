import negotiate from '@fastify/accept-negotiator';
import CachePolicy from 'http-cache-semantics';
import { LRUCache } from 'lru-cache';

type Headers = Record<string, string | string[] | undefined>;

/** The encodings the results service precompresses, best first. */
const ENCODINGS = ['br', 'gzip', 'identity'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/**
 * The encoding a client gets, decided once at the gateway: it is part of the cache key and
 * is sent upstream as the only accepted encoding, so one key always holds one variant
 * (Vary: Accept-Encoding without storing a variant per distinct header string).
 */
export function negotiateEncoding(acceptEncoding: string | string[] | undefined): Encoding {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : acceptEncoding;
  if (!header) return 'identity';
  return negotiate(header, [...ENCODINGS]) ?? 'identity';
}

/** One stored 200 answer. */
export interface CachedResponse {
  status: 200;
  /** Upstream headers minus hop-by-hop, length, per-request and Age headers. */
  headers: Record<string, string | string[]>;
  body: Buffer;
  etag: string | undefined;
  lastModified: string | undefined;
  storedAt: number;
  expiresAt: number;
  size: number;
}

// Hop-by-hop (RFC 9110 §7.6.1) and per-response headers that must not be replayed from a cache.
export const NOT_STORED = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'content-length', 'age', 'x-request-id', 'set-cookie',
]);

/**
 * Decides with http-cache-semantics (RFC 9111, shared-cache view) whether an upstream answer
 * may be stored and for how long. Only 200s with an explicit lifetime (max-age / s-maxage /
 * Expires; no heuristic freshness) whose only Vary is Accept-Encoding and that set no cookie.
 * Returns the lifetime in ms, 0 when not storable.
 */
export function storableFor(url: string, requestHeaders: Headers, status: number, responseHeaders: Headers): number {
  if (status !== 200 || responseHeaders['set-cookie'] !== undefined) return 0;
  const vary = responseHeaders['vary'];
  if (vary !== undefined) {
    const fields = (Array.isArray(vary) ? vary.join(',') : vary).split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
    if (fields.some((f) => f !== 'accept-encoding')) return 0;
  }
  const policy = new CachePolicy(
    { url, method: 'GET', headers: requestHeaders },
    { status, headers: responseHeaders },
    { shared: true, cacheHeuristic: 0, immutableMinTimeToLive: 0 },
  );
  // Freshness only (maxAge − age): timeToLive() would add stale-while-revalidate / stale-if-error,
  // and this cache does not revalidate in the background, so it must not serve stale.
  return policy.storable() ? Math.max(0, Math.round((policy.maxAge() - policy.age()) * 1000)) : 0;
}

/** Builds the stored entry from an upstream answer already judged storable. */
export function makeEntry(responseHeaders: Headers, body: Buffer, ttlMs: number, now = Date.now()): CachedResponse {
  const headers: Record<string, string | string[]> = {};
  let headerBytes = 0;
  for (const [name, value] of Object.entries(responseHeaders)) {
    if (value === undefined || NOT_STORED.has(name)) continue;
    headers[name] = value;
    headerBytes += name.length + String(value).length;
  }
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return {
    status: 200,
    headers,
    body,
    etag: one(responseHeaders['etag']),
    lastModified: one(responseHeaders['last-modified']),
    storedAt: now,
    expiresAt: now + ttlMs,
    size: body.length + headerBytes + 256,
  };
}

export interface Flight {
  promise: Promise<CachedResponse | null>;
  /** When the fetch began (the cache's clock), for the stuck-entry readiness check. */
  startedAt: number;
  /** Resolves the waiters; idempotent. null: the answer was not storable, waiters go upstream themselves. */
  settle(entry: CachedResponse | null): void;
}

/**
 * The gateway's results cache: a byte-bounded LRU of stored answers plus the in-flight
 * upstream fetches, so that concurrent misses on one key cost one upstream request
 * (single flight) — 50,000 viewers cost one request per key per refresh.
 */
export class ResultsCache {
  private readonly lru: LRUCache<string, CachedResponse>;
  private readonly flights = new Map<string, Flight>();

  constructor(readonly maxBytes: number, private readonly now: () => number = () => Date.now()) {
    this.lru = new LRUCache<string, CachedResponse>({
      maxSize: maxBytes,
      // One answer may take at most a quarter of the cache, so a big one cannot flush the rest.
      maxEntrySize: Math.max(1, Math.floor(maxBytes / 4)),
      sizeCalculation: (e) => e.size,
    });
  }

  /** A fresh entry, or undefined (expired entries are dropped). */
  get(key: string): CachedResponse | undefined {
    const entry = this.lru.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, entry: CachedResponse): void {
    if (entry.size > this.maxBytes / 4) return;
    this.lru.set(key, entry);
  }

  /** Forgets every answer (a new results snapshot was published). */
  clear(): void {
    this.lru.clear();
  }

  /** The fetch already under way for this key, if any. */
  pending(key: string): Promise<CachedResponse | null> | undefined {
    return this.flights.get(key)?.promise;
  }

  /** Starts a fetch for this key; the caller must settle it on every path. */
  begin(key: string): Flight {
    let resolve!: (e: CachedResponse | null) => void;
    const promise = new Promise<CachedResponse | null>((r) => (resolve = r));
    let done = false;
    const flight: Flight = {
      promise,
      startedAt: this.now(),
      settle: (entry) => {
        if (done) return;
        done = true;
        if (entry) this.set(key, entry);
        if (this.flights.get(key) === flight) this.flights.delete(key);
        resolve(entry);
      },
    };
    this.flights.set(key, flight);
    return flight;
  }

  /**
   * Fetches under way for longer than `maxAgeMs`. Every flight settles within the upstream
   * timeout by construction (routes/results.ts); one older than that means waiters hang,
   * and /_gateway/ready reports it so an orchestrator replaces the instance.
   */
  stuckFlights(maxAgeMs: number): number {
    const limit = this.now() - maxAgeMs;
    let n = 0;
    for (const flight of this.flights.values()) if (flight.startedAt < limit) n++;
    return n;
  }

  get entries(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }
}
