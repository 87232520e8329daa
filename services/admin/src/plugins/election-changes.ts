import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { QUEUES, type TallyJob, bullPrefix } from '@primaries/queue';
import { announceElectionChange } from '@primaries/redis-protocols';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * After a lifecycle step committed (issue #13): every vote instance drops its cached
     * window at once (redis-protocols' election-changes), and a results rebuild is queued so
     * the portal's snapshot shows the new window, or the final results, without waiting for
     * the schedule. Neither failing undoes the step: the caches expire and the schedule runs anyway.
     */
    electionChanged(electionId: number): Promise<void>;
  }
}

export const electionChangesPlugin = fp(
  async (app: FastifyInstance) => {
    const tallies = new Queue<TallyJob>(QUEUES.tallies, { connection: app.queueReader, prefix: bullPrefix(app.redisPrefix), skipWaitingForReady: true });
    tallies.on('error', () => undefined); // reported by the shared client
    app.addHook('onClose', async () => {
      await tallies.close();
    });
    app.decorate('electionChanged', async (electionId: number) => {
      const warn = (what: string) => (err: unknown) => app.log.warn({ electionId, err: { message: (err as Error).message } }, `${what}; caches and the schedule catch up`);
      // Not awaited: the queue's connection waits for Redis, the answer must not.
      tallies
        .add('rebuild', { reason: 'lifecycle', electionId }, { jobId: `lifecycle-${electionId}-${Date.now()}`, removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } })
        .catch(warn('results rebuild not queued'));
      // Awaited (the shared client fails fast): the vote instances have dropped the old window before the organizer sees the answer.
      await announceElectionChange(app.redis, app.redisPrefix, electionId).catch(warn('election change not announced'));
    });
  },
  { name: 'election-changes', dependencies: ['redis'] },
);
