import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge } from 'prom-client';
import type { RedisSettings } from '@primaries/config';
import { redisClient } from '@primaries/queue';
import { resultsKeys, snapshotSchema } from '@primaries/results-model';
import { type RenderedSnapshot, renderSnapshot } from '../render';

/** The snapshot the service answers from, held in memory. */
interface SnapshotStore {
  current: RenderedSnapshot | null;
  /** Checks Redis for a newer version and loads it; resolves false when Redis can't be read. */
  refresh(): Promise<boolean>;
}

declare module 'fastify' {
  interface FastifyInstance {
    snapshots: SnapshotStore;
  }
}

/** Retry a failed load this soon. */
const RETRY_MS = 2000;

/** Reconnect delay: quick at first, then every 5 s at most while Redis stays away. */
export function backoff(times: number): number {
  return Math.min(times * 200, 5000);
}

export interface SnapshotStoreOptions {
  connection: RedisSettings;
  prefix: string;
  pollSeconds: number;
}

/**
 * Holds the current results snapshot in memory: loads it at start, reloads on the worker's
 * pub/sub notification, and polls every RESULTS_POLL_SECONDS in case a message was missed.
 * While Redis is away it keeps answering from the last snapshot; ioredis reconnects by itself.
 */
export const snapshotStorePlugin = fp(
  async (app: FastifyInstance, opts: SnapshotStoreOptions) => {
    const keys = resultsKeys(opts.prefix);
    const versionGauge = new Gauge({ name: 'results_snapshot_version', help: 'Version of the snapshot being served', registers: [app.metrics] });
    const ageGauge = new Gauge({
      name: 'results_snapshot_age_seconds',
      help: 'Age of the snapshot being served',
      registers: [app.metrics],
      collect() {
        if (store.current) this.set((Date.now() - Date.parse(store.current.snapshot.generatedAt)) / 1000);
      },
    });
    void ageGauge;

    let loading: Promise<boolean> | null = null;
    let retry: NodeJS.Timeout | null = null;
    let closing = false;
    let failing = false;
    let again = false;
    const load = async (): Promise<boolean> => {
      try {
        const current = await app.redis.get(keys.current);
        if (failing) app.log.info('results snapshot source reachable again');
        failing = false;
        if (current === null) return true;
        const version = Number(current);
        if (store.current && store.current.version >= version) return true;
        const raw = await app.redis.get(keys.version(version));
        if (raw === null) return true;
        const snapshot = snapshotSchema.parse(JSON.parse(raw));
        const rendered = { ...(await renderSnapshot(snapshot)), raw };
        // A slower load of an older version must never replace a newer one.
        if (!store.current || store.current.version < rendered.version) {
          store.current = rendered;
          versionGauge.set(rendered.version);
          app.log.info({ version: rendered.version, contests: snapshot.contests.length }, 'results snapshot loaded');
        }
        return true;
      } catch (err) {
        // One line per outage, not one per retry.
        if (!failing) app.log.warn({ err: { message: (err as Error).message } }, 'could not load the results snapshot; serving the last one');
        failing = true;
        // Try again soon rather than at the next poll: a notification may have been lost with it.
        if (!retry && !closing) {
          retry = setTimeout(() => {
            retry = null;
            void store.refresh();
          }, RETRY_MS);
          retry.unref();
        }
        return false;
      }
    };
    const store: SnapshotStore = {
      current: null,
      refresh() {
        // One load at a time; a notification that arrives during a load runs one more after it.
        if (loading) {
          again = true;
          return loading;
        }
        loading = load().finally(() => {
          loading = null;
          if (again && !closing) {
            again = false;
            void store.refresh();
          }
        });
        return loading;
      },
    };
    app.decorate('snapshots', store);

    // Subscriber: its own connection (a subscribed client can't run GET). It resubscribes
    // after a reconnect, and we reload then, since notifications sent meanwhile are lost.
    const sub = redisClient(opts.connection, { maxRetriesPerRequest: null, disconnectTimeout: 100, retryStrategy: backoff });
    let subDown = false;
    sub.on('error', (err) => {
      if (!subDown) app.log.warn({ err: { message: err.message } }, 'results subscriber lost Redis; will reconnect');
      subDown = true;
    });
    sub.on('ready', () => {
      if (subDown) void store.refresh();
      subDown = false;
    });
    sub.on('message', (channel) => {
      if (channel === keys.channel) void store.refresh();
    });
    // Queued until the first connection; ioredis resubscribes by itself after a reconnect.
    sub.subscribe(keys.channel).catch(() => {});

    const timer = setInterval(() => void store.refresh(), opts.pollSeconds * 1000);
    timer.unref();

    app.addHook('onReady', async () => {
      await store.refresh();
    });
    app.addHook('onClose', async () => {
      closing = true;
      clearInterval(timer);
      if (retry) clearTimeout(retry);
      await loading;
      sub.disconnect();
    });
  },
  { name: 'snapshot-store', dependencies: ['redis', 'observability'] },
);
