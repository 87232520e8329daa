import { StoreUnavailableError } from '@primaries/service-kit';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { errorBody } from '@primaries/service-kit';
import { AdminErrors } from '../errors';

/** Where the queue dashboard lives on the admin host. */
const QUEUE_BOARD_PREFIX = '/queues';

const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);

/**
 * What the board shows of a job's data: never a member id, a sealed ballot, a phone number
 * or a code — only what an operator needs to tell jobs apart (batch ids, reasons, sizes).
 */
const DATA_VIEWS: Record<string, (data: Record<string, unknown> | undefined) => unknown> = {
  [QUEUES.votes]: (d) => ({ batchId: d?.batchId, votes: count(d?.votes) }),
  [QUEUES.votesDead]: (d) => ({ batchId: d?.batchId, reason: d?.reason, votes: count(d?.votes) }),
  [QUEUES.sms]: (d) => ({ messages: Array.isArray(d?.messages) ? d.messages.length : 1 }),
  [QUEUES.tallies]: (d) => d,
};

/**
 * Bull Board (@bull-board/api, @bull-board/fastify) at /queues, for organizers only (issue
 * #12): every request under the prefix — the page, its static assets, its API — needs a
 * live organizer session (401 ADMIN_ERR_UNAUTHENTICATED, 403 ADMIN_ERR_FORBIDDEN), checked
 * on the server in an onRequest hook of the board's own context. Read-only: any request
 * other than GET/HEAD is refused (403 ADMIN_ERR_FORBIDDEN) before the board sees it, and
 * the queues are in the board's readOnlyMode besides (no retry, clean, pause, add or
 * remove). Operators act on dead letters with `pnpm primaries dead-letters`.
 */
export async function queueBoardPlugin(app: FastifyInstance): Promise<void> {
  const prefix = bullPrefix(app.redisPrefix);
  const queues = Object.values(QUEUES).map((name) => new Queue(name, { connection: app.queueReader, prefix, skipWaitingForReady: true }));
  app.addHook('onClose', async () => {
    await Promise.all(queues.map((q) => q.close()));
  });
  const adapters = queues.map((q) => {
    const adapter = new BullMQAdapter(q, { readOnlyMode: true });
    const view = DATA_VIEWS[q.name] ?? (() => '(hidden)');
    adapter.setFormatter('data', view);
    // Return values and progress could carry what the data does; only the tallies' summary is shown.
    adapter.setFormatter('returnValue', (v: unknown) => (q.name === QUEUES.tallies ? v : null));
    adapter.setFormatter('progress', () => null);
    return adapter;
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PREFIX);
  createBullBoard({ queues: adapters, serverAdapter, options: { uiConfig: { boardTitle: 'primaries queues', hideDocsLink: true } } });

  await app.register(
    async (board) => {
      board.addHook('onRequest', (request, reply) => guard(app, request, reply));
      await board.register(serverAdapter.registerPlugin());
    },
    { prefix: QUEUE_BOARD_PREFIX },
  );
}

/**
 * The organizer check for every request under the prefix. Answers the refusal itself: the
 * board's context has Bull Board's own error handler, which would turn it into a 500.
 */
async function guard(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    await app.staffAuthenticate(request, reply);
    await app.requireRole('organizer')(request, reply);
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new AdminErrors.FORBIDDEN();
    // The board's queues wait for Redis (app.queueReader); its requests answer 503 + Retry-After meanwhile.
    if (app.queueReader.status !== 'ready') throw new StoreUnavailableError('redis', 'queue board: redis not connected');
  } catch (err) {
    const e = err as { code?: string; message: string; statusCode?: number };
    if (!e.code?.startsWith('ADMIN_ERR_') || !e.statusCode) throw err;
    reply.header('cache-control', 'no-store');
    return reply.code(e.statusCode).send(errorBody(request, reply, { code: e.code, message: e.message }));
  }
}
