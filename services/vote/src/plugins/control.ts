import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { blockedMemberIds } from '@primaries/db';
import { ballotChangedChannel, blockState, seedBlocks } from '@primaries/redis-protocols';
import { electionCacheFor } from '../voting/election-cache';

declare module 'fastify' {
  interface FastifyInstance {
    /** Party control on the vote path (issue #14): the blocked set and its seeding. */
    control: {
      /** Copies an election's blocks from Postgres into Redis (one at a time per election). */
      seedBlocks(electionId: number): Promise<void>;
      /** Whether a member is blocked, seeding the set first when Redis lost it. */
      isBlocked(electionId: number, memberId: string): Promise<boolean>;
    };
  }
}

/**
 * Party-control effects on this vote service (docs/control.md): a candidate removed or
 * restored drops the cached contest lists at once (Redis pub/sub from the console, on a
 * connection of its own; after a reconnect everything is dropped, since messages sent
 * meanwhile are lost), and blocked members are seeded into the claim script's set from
 * Postgres whenever Redis has lost it.
 */
export const controlPlugin = fp(
  async (app: FastifyInstance) => {
    const prefix = app.redisPrefix;
    const cache = electionCacheFor(app.db);
    const seeding = new Map<number, Promise<void>>();
    const seed = (electionId: number) => {
      let p = seeding.get(electionId);
      if (!p) {
        p = blockedMemberIds(app.db, electionId)
          .then((ids) => seedBlocks(app.redis, prefix, electionId, ids))
          .finally(() => seeding.delete(electionId));
        seeding.set(electionId, p);
      }
      return p;
    };
    app.decorate('control', {
      seedBlocks: seed,
      async isBlocked(electionId: number, memberId: string) {
        let state = await blockState(app.redis, prefix, electionId, memberId);
        if (state === 'unseeded') {
          await seed(electionId);
          state = await blockState(app.redis, prefix, electionId, memberId);
        }
        return state === 'blocked';
      },
    });

    const sub = app.redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
    let down = false;
    sub.on('error', () => {
      down = true;
    });
    sub.on('ready', () => {
      if (down) cache.invalidate();
      down = false;
    });
    sub.on('message', (channel, message) => {
      if (channel !== ballotChangedChannel(prefix)) return;
      const id = Number(message);
      if (Number.isInteger(id) && id > 0) cache.invalidate(id);
    });
    const subscribed = sub.subscribe(ballotChangedChannel(prefix)).catch(() => {});
    // Listening before the first request, as far as Redis lets us (a Redis away must not hold the start).
    app.addHook('onReady', async () => {
      await Promise.race([subscribed, new Promise((r) => setTimeout(r, 2000).unref())]);
    });
    app.addHook('onClose', async () => {
      sub.disconnect();
    });
  },
  { name: 'control', dependencies: ['redis', 'db'] },
);
