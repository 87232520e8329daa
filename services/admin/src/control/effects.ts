import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { writeComplaintState } from '@primaries/complaints';
import { QUEUES, type TallyJob, bullPrefix } from '@primaries/queue';
import { announceElectionChange } from '@primaries/redis-protocols';

declare module 'fastify' {
  interface FastifyInstance {
    controlEffects: ControlEffects;
  }
}

/** What follows a committed decision (issue #14, docs/control.md). */
interface ControlEffects {
  /** The ballot changed: every vote service drops its cached lists now. */
  ballotChanged(electionId: number): Promise<void>;
  /** A re-tally now instead of at the next scheduled refresh (the worker's rebuild, under its advisory lock). */
  retally(electionId: number): Promise<void>;
  /** The state the complainant's tracking page shows. */
  complaintState(tracking: string, state: 'received' | 'reviewing' | 'upheld' | 'dismissed', at: Date | string): Promise<void>;
}

/** Decorates `app.controlEffects`: Redis pub/sub, the tallies queue, the complaint states. */
export async function registerControlEffects(app: FastifyInstance): Promise<void> {
  const prefix = app.adminConfig.REDIS_PREFIX;
  let tallies: Queue<TallyJob> | null = null;
  const queue = () => (tallies ??= new Queue<TallyJob>(QUEUES.tallies, { connection: app.queueReader, prefix: bullPrefix(prefix) }));
  app.addHook('onClose', async () => {
    await tallies?.close();
  });
  app.decorate('controlEffects', {
    // The lifecycle's announcement (issue #13): every vote service drops the election's cached lists.
    ballotChanged: (electionId: number) => announceElectionChange(app.redis, prefix, electionId),
    async retally(electionId: number) {
      await queue().add('rebuild', { reason: 'control', electionId }, { removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } });
    },
    complaintState: (tracking: string, state: 'received' | 'reviewing' | 'upheld' | 'dismissed', at: Date | string) => writeComplaintState(app.redis, prefix, tracking, state, at),
  } satisfies ControlEffects);
}
