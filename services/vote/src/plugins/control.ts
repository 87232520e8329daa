import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { blockedMemberIds } from '@primaries/db';
import { blockState, seedBlocks } from '@primaries/redis-protocols';

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
 * Party-control blocks on this vote service (docs/control.md): the claim script reads the
 * blocked set; when Redis has lost it (no sentinel), it is copied again from Postgres. A
 * removed candidate needs nothing here: the console announces the change on the lifecycle's
 * election-changes channel, and the election-changes plugin drops the cached lists.
 */
export const controlPlugin = fp(
  async (app: FastifyInstance) => {
    const prefix = app.redisPrefix;
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
  },
  { name: 'control', dependencies: ['redis', 'db'] },
);
