import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';

/** A store a service cannot work without for some of its answers. */
export type Dependency = 'redis' | 'postgres';

/** Seconds a client should wait after a 503 answered because a store is away. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

// Postgres SQLSTATEs that mean "the server is not there for you right now": connection
// exceptions (08…), shutting down / starting up (57P01-57P03), too many connections.
const PG_UNAVAILABLE = /^(08[0-9A-Z]{3}|57P0[1-3]|53300)$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** Thrown by code that knows a store is away before asking it. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    readonly dependency: Dependency,
    message: string,
  ) {
    super(message);
  }
}

type ErrorLike = { name?: unknown; message?: unknown; code?: unknown; severity?: unknown; cause?: unknown; dependency?: unknown };

// Duck-typed: errors made by Node itself are not `instanceof Error` inside a jest sandbox.
function isErrorLike(err: unknown): err is ErrorLike {
  return typeof err === 'object' && err !== null && typeof (err as ErrorLike).message === 'string';
}

function classify(e: ErrorLike): Dependency | null {
  if (e.name === 'StoreUnavailableError' && (e.dependency === 'redis' || e.dependency === 'postgres')) return e.dependency;
  const msg = String(e.message);
  // ioredis: a fail-fast client while disconnected, a dropped connection, a command given up on.
  if (e.name === 'MaxRetriesPerRequestError' || /^(Stream isn't writeable|Connection is closed|Reached the max retries)/.test(msg)) return 'redis';
  // Redis answering but unable to serve: replaying its AOF, out of memory (noeviction), …
  if (e.name === 'ReplyError' && /^(LOADING|OOM|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|MISCONF)\b/.test(msg)) return 'redis';
  // pg: a server error of the unavailable kind, or the connection itself failing.
  if (typeof e.severity === 'string' && typeof e.code === 'string') return PG_UNAVAILABLE.test(e.code) ? 'postgres' : null;
  if (/^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/.test(msg)) return 'postgres';
  // A socket that could not connect: ioredis never surfaces these to commands (it queues or
  // fails fast with the messages above), the pg pool does.
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'postgres';
  return null;
}

/**
 * Which store an error says is unavailable, or null when it is not that kind of error (a
 * bug, a constraint, a bad input). Looks one level into `cause`.
 */
export function dependencyFailure(err: unknown): Dependency | null {
  if (!isErrorLike(err)) return null;
  return classify(err) ?? (isErrorLike(err.cause) ? classify(err.cause) : null);
}

interface OutageLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

const PROBE_MS = 1000;

/**
 * What a process knows of its stores: one log line when a store goes away, one when it is
 * back (with how long it was away), never a line per failed request. Redis reports its own
 * transitions (ioredis 'error' / 'ready' events); Postgres has no events, so once it is
 * reported down a probe (`select 1`) runs every second until it answers.
 */
export class Outages {
  private readonly down = new Map<Dependency, { since: number; timer?: NodeJS.Timeout }>();
  private readonly probes = new Map<Dependency, () => Promise<unknown>>();
  private readonly gauge: Gauge<'dependency'> | undefined;

  constructor(
    private readonly log: OutageLog,
    metrics?: Registry,
  ) {
    this.gauge = metrics && new Gauge({ name: 'dependency_up', help: 'Whether a store answers (1) or is away (0), as this process last saw it', labelNames: ['dependency'], registers: [metrics] });
  }

  /** How to tell that a reported store is back (for stores without events). */
  setProbe(dep: Dependency, probe: () => Promise<unknown>): void {
    this.probes.set(dep, probe);
    this.gauge?.set({ dependency: dep }, this.isDown(dep) ? 0 : 1);
  }

  /** The store failed: logged once, until it is back. */
  report(dep: Dependency, err?: unknown): void {
    if (this.down.has(dep)) return;
    const entry: { since: number; timer?: NodeJS.Timeout } = { since: Date.now() };
    this.down.set(dep, entry);
    this.gauge?.set({ dependency: dep }, 0);
    this.log.warn({ dependency: dep, reason: isErrorLike(err) ? String(err.message) : undefined }, `${dep} unavailable`);
    const probe = this.probes.get(dep);
    if (probe) {
      let probing = false;
      entry.timer = setInterval(() => {
        if (probing) return;
        probing = true;
        probe().then(
          () => this.recovered(dep),
          () => undefined,
        ).finally(() => (probing = false));
      }, PROBE_MS);
      entry.timer.unref();
    }
  }

  /**
   * An error under a request or a job: a store being away is reported (logged once for the
   * whole outage); anything else is logged here, as one line without a stack.
   */
  reportOrLog(err: unknown, log: { warn(obj: object, msg: string): void }, msg: string): void {
    const store = dependencyFailure(err);
    if (store) this.report(store, err);
    else log.warn({ err: { message: isErrorLike(err) ? String(err.message) : String(err) } }, msg);
  }

  /** The store answers again: logged once, with how long it was away. */
  recovered(dep: Dependency): void {
    const entry = this.down.get(dep);
    if (!entry) return;
    clearInterval(entry.timer);
    this.down.delete(dep);
    this.gauge?.set({ dependency: dep }, 1);
    this.log.info({ dependency: dep, downMs: Date.now() - entry.since }, `${dep} available again`);
  }

  isDown(dep: Dependency): boolean {
    return this.down.has(dep);
  }

  /** Stops the probes (the process is closing). */
  close(): void {
    for (const entry of this.down.values()) clearInterval(entry.timer);
  }
}
