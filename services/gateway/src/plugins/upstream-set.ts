import { Pool, type Dispatcher } from 'undici';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The instances of one upstream (VOTE_UPSTREAM etc. may list several, issue #17), balanced
 * round-robin over the healthy ones, each with its own undici keep-alive pool.
 *
 * Health: an instance that refuses a connection (or does not accept one within the connect
 * timeout) is taken out at once (passive); with more than one instance, each one's `/health`
 * is also probed every GATEWAY_UPSTREAM_PROBE_INTERVAL_MS (active), which takes out an
 * instance that answers badly and puts a recovered one back. When none is healthy, all are
 * tried: a probe's false alarm must not turn into an outage.
 *
 * Retries, only where safe: on another instance when the connection failed before a byte of
 * the request was sent (refused, connect timeout: any method), or when the method is GET or
 * HEAD (any failure before the response began). A POST that reached an instance which then
 * died is never retried: the caller answers 503 + Retry-After (a vote must not be cast twice
 * by the gateway). undici's BalancedPool was considered: it only lowers a failing origin's
 * weight (never below 1), has no probe and no retry, so a stopped vote instance would keep
 * receiving votes.
 *
 * Used by reply-from (its `undici` option accepts any object with `request`) and by the
 * results cache's filler, so both follow the same health.
 */

export interface UpstreamInstanceState {
  url: string;
  healthy: boolean;
  /** Why it was taken out (an error code or `status 503`), while it is out. */
  reason?: string;
  /** When its health last changed (ms since the epoch). */
  since: number;
}

export interface UpstreamSetOptions {
  site: string;
  urls: readonly string[];
  pool: Pool.Options;
  /** Probe each instance's /health this often when there are several; 0: never. */
  probeIntervalMs: number;
  probeTimeoutMs: number;
  registry?: Registry;
  onChange?: (instance: UpstreamInstanceState) => void;
}

/** Failures where the connection never carried the request: safe to send anywhere else. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
/** Failures after which an idempotent request may go to another instance. */
const NO_RETRY_EVEN_IF_IDEMPOTENT = new Set(['UND_ERR_ABORTED', 'AbortError', 'TimeoutError', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH', 'UND_ERR_INVALID_ARG']);

/** Error codes along an error's cause chain (undici may wrap an AggregateError). */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let cur: unknown = error;
  for (let depth = 0; cur && depth < 5; depth++) {
    const e = cur as { code?: unknown; name?: unknown; cause?: unknown; errors?: unknown[] };
    if (typeof e.code === 'string') codes.push(e.code);
    else if (typeof e.name === 'string' && e.name !== 'Error') codes.push(e.name);
    if (Array.isArray(e.errors)) for (const inner of e.errors) if (typeof (inner as { code?: unknown }).code === 'string') codes.push((inner as { code: string }).code);
    cur = e.cause;
  }
  return codes;
}

interface Instance extends UpstreamInstanceState {
  pool: Pool;
  /** Taken out by a probe (only a probe puts it back) or by a refused connection (an answer does too). */
  outByProbe: boolean;
  up: { set(value: number): void };
  requests: { ok: { inc(): void }; failed: { inc(): void } };
}

type RequestCallback = (err: Error | null, data?: Dispatcher.ResponseData) => void;

export class UpstreamSet {
  private readonly instances: Instance[];
  private next = 0;
  private readonly probeTimer: NodeJS.Timeout | undefined;
  private readonly retries: Counter | undefined;

  constructor(private readonly opts: UpstreamSetOptions) {
    const registry = opts.registry;
    const up = registry && (registry.getSingleMetric('gateway_upstream_instance_up') as Gauge | undefined
      ?? new Gauge({ name: 'gateway_upstream_instance_up', help: 'Whether the gateway sends requests to this upstream instance (1) or has taken it out (0)', labelNames: ['site', 'instance'], registers: [registry] }));
    const requests = registry && (registry.getSingleMetric('gateway_upstream_instance_requests_total') as Counter | undefined
      ?? new Counter({ name: 'gateway_upstream_instance_requests_total', help: 'Requests sent to each upstream instance, by outcome (ok: an answer came back; failed: none did)', labelNames: ['site', 'instance', 'outcome'], registers: [registry] }));
    this.retries = registry && (registry.getSingleMetric('gateway_upstream_retries_total') as Counter | undefined
      ?? new Counter({ name: 'gateway_upstream_retries_total', help: 'Requests sent again to another instance after a failure that made it safe (not_connected: refused or connect timeout; idempotent: GET/HEAD)', labelNames: ['site', 'reason'], registers: [registry] }));
    const noop = { inc() {}, set() {} };
    this.instances = opts.urls.map((url) => {
      const origin = new URL(url).origin;
      const instance = {
        url: origin,
        healthy: true,
        since: Date.now(),
        pool: new Pool(origin, opts.pool),
        outByProbe: false,
        up: up ? up.labels(opts.site, origin) : noop,
        requests: {
          ok: requests ? requests.labels(opts.site, origin, 'ok') : noop,
          failed: requests ? requests.labels(opts.site, origin, 'failed') : noop,
        },
      };
      instance.up.set(1);
      return instance;
    });
    if (this.instances.length > 1 && opts.probeIntervalMs > 0) {
      this.probeTimer = setInterval(() => void this.probeAll(), opts.probeIntervalMs);
      this.probeTimer.unref();
    }
  }

  /** Each instance's health, for /_gateway/ready. */
  states(): UpstreamInstanceState[] {
    return this.instances.map(({ url, healthy, reason, since }) => ({ url, healthy, ...(reason ? { reason } : {}), since }));
  }

  /** undici's `request`, in both its forms: with a callback (reply-from) or a promise (the cache filler). */
  request(options: Dispatcher.RequestOptions, callback: RequestCallback): void;
  request(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
  request(options: Dispatcher.RequestOptions, callback?: RequestCallback): Promise<Dispatcher.ResponseData> | void {
    const result = this.send(options);
    if (!callback) return result;
    result.then((data) => callback(null, data), (err: Error) => callback(err));
  }

  private async send(options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData> {
    // Each instance gets its own Host (undici sets it from the pool's origin).
    const { origin: _origin, ...rest } = options;
    const headers = rest.headers && !Array.isArray(rest.headers) && typeof (rest.headers as Iterable<unknown>)[Symbol.iterator] !== 'function'
      ? { ...(rest.headers as Record<string, string | string[] | undefined>), host: undefined }
      : rest.headers;
    const request = { ...rest, headers } as Dispatcher.RequestOptions;
    const idempotent = request.method === 'GET' || request.method === 'HEAD';
    const tried = new Set<Instance>();
    for (;;) {
      const instance = this.pick(tried);
      tried.add(instance);
      try {
        const res = await instance.pool.request(request);
        instance.requests.ok.inc();
        if (!instance.healthy && !instance.outByProbe) this.mark(instance, true);
        return res;
      } catch (err) {
        instance.requests.failed.inc();
        const codes = errorCodes(err);
        const notConnected = codes.some((c) => NOT_CONNECTED.has(c));
        if (notConnected && instance.healthy) this.mark(instance, false, codes.find((c) => NOT_CONNECTED.has(c)));
        const safe = notConnected || (idempotent && !codes.some((c) => NO_RETRY_EVEN_IF_IDEMPOTENT.has(c)));
        if (!safe || tried.size >= this.instances.length || (request.signal as AbortSignal | undefined)?.aborted) throw err;
        this.retries?.inc({ site: this.opts.site, reason: notConnected ? 'not_connected' : 'idempotent' });
      }
    }
  }

  /** The next healthy instance not yet tried (round-robin); else any not yet tried. */
  private pick(tried: Set<Instance>): Instance {
    const n = this.instances.length;
    let fallback: Instance | undefined;
    for (let i = 0; i < n; i++) {
      const candidate = this.instances[(this.next + i) % n]!;
      if (tried.has(candidate)) continue;
      if (candidate.healthy) {
        // A retry leaves the rotation alone: the next request still goes to the next instance.
        if (tried.size === 0) this.next = (this.next + i + 1) % n;
        return candidate;
      }
      fallback ??= candidate;
    }
    // Every instance is out (or tried): try the others anyway rather than fail without asking.
    return fallback ?? this.instances[0]!;
  }

  private mark(instance: Instance, healthy: boolean, reason?: string): void {
    if (instance.healthy === healthy && (healthy || instance.reason === reason)) return;
    const changed = instance.healthy !== healthy;
    instance.healthy = healthy;
    if (healthy) delete instance.reason;
    else instance.reason = reason ?? 'unhealthy';
    if (!changed) return;
    instance.since = Date.now();
    instance.up.set(healthy ? 1 : 0);
    this.opts.onChange?.({ url: instance.url, healthy, ...(instance.reason ? { reason: instance.reason } : {}), since: instance.since });
  }

  /** One probe round: GET /health on each instance; 200 puts it in, anything else takes it out. */
  async probeAll(): Promise<void> {
    await Promise.all(this.instances.map(async (instance) => {
      try {
        const res = await instance.pool.request({
          path: '/health',
          method: 'GET',
          headersTimeout: this.opts.probeTimeoutMs,
          bodyTimeout: this.opts.probeTimeoutMs,
          signal: AbortSignal.timeout(this.opts.probeTimeoutMs),
        });
        await res.body.dump();
        instance.outByProbe = res.statusCode !== 200;
        this.mark(instance, res.statusCode === 200, `/health answered ${res.statusCode}`);
      } catch (err) {
        instance.outByProbe = true;
        this.mark(instance, false, errorCodes(err)[0] ?? 'probe failed');
      }
    }));
  }

  async close(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    await Promise.all(this.instances.map((i) => i.pool.close().catch(() => undefined)));
  }

  destroy(): Promise<void> {
    if (this.probeTimer) clearInterval(this.probeTimer);
    return Promise.all(this.instances.map((i) => i.pool.destroy().catch(() => undefined))).then(() => undefined);
  }
}
