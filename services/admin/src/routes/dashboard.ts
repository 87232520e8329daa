import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { currentSnapshot, deadLetterFigures, electionFigures, snapshotFigures, turnoutFigures, votesQueueFigures } from '../dashboard/figures';
import { StoreUnavailableError } from '@primaries/service-kit';
import { errorAnswer } from './schemas';

const count = z.number().int().min(0);
const dashboardAnswer = z.object({
  serverTime: z.string().describe('The server\'s clock (ISO 8601): the window is judged by it'),
  election: z
    .object({ id: z.number().int(), name: z.string(), state: z.enum(['scheduled', 'open', 'closed']), opensAt: z.string(), closesAt: z.string() })
    .nullable()
    .describe('The current election (open now, else the next, else the last); null before any exists'),
  turnout: z.object({ voted: count, eligible: count, percent: z.number() }).describe('From the last results snapshot (0 when none)'),
  votesQueue: z.object({ waiting: count, active: count, delayed: count, failed: count }).describe('Batches of votes on the votes queue, by state'),
  deadLetters: z.object({ count, oldestAt: z.string().nullable() }).describe('Dead-lettered batches (votes-dead queue); `pnpm primaries dead-letters list`'),
  snapshot: z
    .object({ at: z.string(), ageSeconds: count, final: z.boolean(), version: z.number().int(), electionId: z.number().int() })
    .nullable()
    .describe('The results snapshot served now; null before the first'),
});

/** `GET /api/v1/dashboard`: the organizer's operations figures (docs/admin.md). */
export default async function dashboardRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const prefix = bullPrefix(app.redisPrefix);
  // Read-only use of the queues (counts and the oldest dead letter) on the app's queue reader (app.ts).
  const votes = new Queue(QUEUES.votes, { connection: app.queueReader, prefix, skipWaitingForReady: true });
  const dead = new Queue(QUEUES.votesDead, { connection: app.queueReader, prefix, skipWaitingForReady: true });
  app.addHook('onClose', async () => {
    await Promise.all([votes.close(), dead.close()]);
  });

  app.get(
    '/dashboard',
    {
      preHandler: [app.staffAuthenticate, app.requireRole('organizer')],
      schema: { summary: 'Turnout, the votes queue, dead letters, the last snapshot and the window (organizers)', response: { 200: dashboardAnswer, 401: errorAnswer, 403: errorAnswer } },
    },
    async (_request, reply) => {
      // The reader waits for Redis; the request does not: 503 + Retry-After while Redis is away.
      if (app.queueReader.status !== 'ready') throw new StoreUnavailableError('redis', 'dashboard: redis not connected');
      const now = new Date();
      const [election, snapshot, votesQueue, deadLetters] = await Promise.all([
        electionFigures(app.db, now),
        currentSnapshot(app.redis, app.redisPrefix),
        votesQueueFigures(votes),
        deadLetterFigures(dead),
      ]);
      reply.header('cache-control', 'no-store');
      return { serverTime: now.toISOString(), election, turnout: turnoutFigures(snapshot), votesQueue, deadLetters, snapshot: snapshotFigures(snapshot, now) };
    },
  );
}
