import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { followElectionChanges } from '@primaries/redis-protocols';
import { electionCacheFor } from '../voting/election-cache';

declare module 'fastify' {
  interface FastifyInstance {
    /** Calls `listener` when an organizer changed an election (extended, closed, published: issue #13). */
    onElectionChange(listener: (electionId: number) => void): void;
  }
}

/**
 * Follows the admin service's election-change announcements (@primaries/redis-protocols'
 * election-changes) on a Redis connection of its own, and drops the election from this
 * instance's caches at once: a voter sees an extension or an early close on the next request.
 */
export const electionChangesPlugin = fp(
  async (app: FastifyInstance) => {
    const listeners: Array<(electionId: number) => void> = [];
    app.decorate('onElectionChange', (listener: (electionId: number) => void) => {
      listeners.push(listener);
    });
    const voting = electionCacheFor(app.db);
    listeners.push((id) => voting.forget(id));
    // Its own connection, waiting for Redis (offline queue) where the shared client fails fast.
    const sub = app.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
    sub.on('error', () => undefined); // the shared client reports outages; this one just reconnects
    const following = followElectionChanges(sub, app.redisPrefix, (id) => {
      app.log.info({ electionId: id }, 'election changed: cached window dropped');
      for (const l of listeners) l(id);
    }).catch((err: unknown) => app.log.warn({ err: { message: (err as Error).message } }, 'not following election changes; caches expire on their own'));
    app.addHook('onReady', async () => {
      // Subscribed before the first request where Redis answers; never holds the start up for long.
      await Promise.race([following, new Promise((r) => setTimeout(r, 2000).unref())]);
    });
    app.addHook('onClose', async () => {
      sub.disconnect();
    });
  },
  { name: 'election-changes', dependencies: ['redis', 'db'] },
);
