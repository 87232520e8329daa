import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentLifecycleElectionId } from '@primaries/db';
import { deploymentFromEnv } from '@primaries/election-setup';
import { readVoteBacklog } from '@primaries/redis-protocols';
import { AdminErrors } from '../errors';
import { confirmEarlyClose, extendElection, publishResults, requestEarlyClose, scheduleElection } from '../lifecycle/steps';
import { closeRequestView, electionLifecycleView, lifecycleAnswer, lifecycleOf, toElectionView } from '../lifecycle/view';
import { errorAnswer } from './schemas';

const electionParams = z.object({ id: z.coerce.number().int().positive() });
const reason = z.string().trim().min(3).max(500).describe('Why: it goes into the public audit trail');
const stepAnswer = z.object({ election: electionLifecycleView });
const refusals = { 401: errorAnswer, 403: errorAnswer, 404: errorAnswer, 409: errorAnswer, 410: errorAnswer, 422: errorAnswer };

/**
 * The election's lifecycle (issue #13, docs/lifecycle.md): draft → scheduled → open → closed →
 * published by the server's clock, and the organizers' steps — schedule, extend, an early
 * close by two organizers, publish. Each step locks the election's row, checks its phase and
 * writes an audit event in the same transaction, then tells the vote and results sides.
 */
export default async function lifecycleRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const readers = app.requireRole('organizer', 'observer', 'control');
  const organizer = [app.staffAuthenticate, app.requireRole('organizer'), app.requireCsrf];
  const actor = (request: FastifyRequest) => ({ id: request.staff!.id, role: request.staff!.role });

  const show = async (id: number) => {
    const view = await lifecycleOf(app.db, id);
    if (!view) throw new AdminErrors.ELECTION_NOT_FOUND();
    return view;
  };
  app.get(
    '/elections/current/lifecycle',
    { preHandler: [app.staffAuthenticate, readers], schema: { summary: 'The current election\'s phase, times, pending early close and protocols', response: { 200: lifecycleAnswer, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (_request, reply) => {
      const id = await currentLifecycleElectionId(app.db);
      if (id === undefined) throw new AdminErrors.ELECTION_NOT_FOUND();
      reply.header('cache-control', 'no-store');
      return show(id);
    },
  );
  app.get(
    '/elections/:id/lifecycle',
    { preHandler: [app.staffAuthenticate, readers], schema: { summary: 'An election\'s phase, times, pending early close and protocols', params: electionParams, response: { 200: lifecycleAnswer, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return show(request.params.id);
    },
  );

  app.post(
    '/elections/:id/schedule',
    { preHandler: organizer, schema: { summary: 'draft → scheduled, when the pre-open check finds nothing (organizers)', params: electionParams, body: z.object({ reason }), response: { 200: stepAnswer, ...refusals } } },
    async (request) => {
      const row = await scheduleElection(app.db, request.params.id, actor(request), request.body.reason, deploymentFromEnv(process.env));
      await app.electionChanged(row.id);
      return { election: toElectionView(row) };
    },
  );

  app.post(
    '/elections/:id/extend',
    {
      preHandler: organizer,
      schema: {
        summary: 'Move the close later while the window is open (organizers)',
        params: electionParams,
        body: z.object({ closesAt: z.iso.datetime({ offset: true }).describe('The new close, later than the current one'), reason }),
        response: { 200: stepAnswer, ...refusals },
      },
    },
    async (request) => {
      const row = await extendElection(app.db, request.params.id, actor(request), new Date(request.body.closesAt), request.body.reason);
      await app.electionChanged(row.id);
      return { election: toElectionView(row) };
    },
  );

  app.post(
    '/elections/:id/close-requests',
    { preHandler: organizer, schema: { summary: 'Ask to close the window now; a second organizer confirms (organizers)', params: electionParams, body: z.object({ reason }), response: { 201: z.object({ closeRequest: closeRequestView }), ...refusals } } },
    async (request, reply) => {
      const r = await requestEarlyClose(app.db, request.params.id, actor(request), request.body.reason);
      const me = request.staff!;
      return reply.code(201).send({ closeRequest: { id: r.id, requestedBy: { id: me.id, login: me.login }, reason: r.reason, requestedAt: r.requested_at.toISOString(), expiresAt: r.expires_at.toISOString() } });
    },
  );

  app.post(
    '/elections/:id/close-requests/:requestId/confirm',
    {
      preHandler: organizer,
      schema: {
        summary: 'Confirm another organizer\'s early close: the window closes now (organizers)',
        params: electionParams.extend({ requestId: z.coerce.number().int().positive() }),
        body: z.object({ reason }),
        response: { 200: stepAnswer, ...refusals },
      },
    },
    async (request) => {
      const row = await confirmEarlyClose(app.db, request.params.id, request.params.requestId, actor(request), request.body.reason);
      await app.electionChanged(row.id);
      return { election: toElectionView(row) };
    },
  );

  app.post(
    '/elections/:id/publish',
    { preHandler: organizer, schema: { summary: 'Publish final results after the close: the tally runs once more and makes the protocols (organizers)', params: electionParams, body: z.object({ reason }), response: { 202: stepAnswer, ...refusals } } },
    async (request, reply) => {
      const queued = await readVoteBacklog(app.redis, app.redisPrefix);
      const row = await publishResults(app.db, request.params.id, actor(request), request.body.reason, queued);
      await app.electionChanged(row.id);
      return reply.code(202).send({ election: toElectionView(row) });
    },
  );
}
