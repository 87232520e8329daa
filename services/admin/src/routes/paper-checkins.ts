import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { paperWindowState } from '@primaries/domain';
import { checkIn, handOver, lookUpMember, ownStation, undoCheckin } from '../paper/checkin';
import { errorAnswer } from './schemas';

const iinBody = z.object({ iin: z.string().regex(/^\d{12}$/) });
const stationAnswer = z.object({
  id: z.number().int(),
  code: z.string(),
  settlement: z.string(),
  address: z.string().nullable(),
  region: z.string(),
  district: z.string(),
  opensAt: z.string(),
  closesAt: z.string(),
  state: z.enum(['before', 'open', 'closed']),
});
const memberAnswer = z.object({
  memberId: z.string(),
  fullName: z.string(),
  onList: z.boolean(),
  eligible: z.boolean(),
  contests: z.array(z.object({ id: z.number().int(), name: z.string(), state: z.enum(['open', 'voted', 'paper']) })),
  checkin: z.object({ id: z.number().int(), handedOver: z.boolean() }).nullable(),
});
const errors = { 401: errorAnswer, 403: errorAnswer, 404: errorAnswer, 409: errorAnswer, 422: errorAnswer };

/**
 * The precinct commission's check-in (issue #15, docs/paper.md): its own station only (the
 * account's station, never one from the request). IINs travel in bodies, never in URLs.
 */
export default async function paperCheckinRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const precinct = app.requireRole('precinct');
  const stores = () => ({ db: app.db, redis: app.redis, prefix: app.redisPrefix });

  app.get(
    '/paper/station',
    { preHandler: [app.staffAuthenticate, precinct], schema: { summary: 'The precinct account\'s polling station and its paper window by server time', response: { 200: z.object({ station: stationAnswer }), 401: errorAnswer, 403: errorAnswer } } },
    async (request) => {
      const s = await ownStation(app.db, request.staff!);
      const { electionId: _e, regionId: _r, ...rest } = s;
      return { station: { ...rest, opensAt: s.opensAt.toISOString(), closesAt: s.closesAt.toISOString(), state: paperWindowState(s) } };
    },
  );

  app.post(
    '/paper/lookup',
    { preHandler: [app.staffAuthenticate, precinct, app.requireCsrf], schema: { summary: 'Find a member by IIN: on this station\'s list, eligible, each contest\'s state', body: iinBody, response: { 200: z.object({ member: memberAnswer }), ...errors } } },
    async (request, reply) => {
      const station = await ownStation(app.db, request.staff!);
      reply.header('cache-control', 'no-store');
      return { member: await lookUpMember(stores(), station, request.body.iin) };
    },
  );

  app.post(
    '/paper/checkins',
    { preHandler: [app.staffAuthenticate, precinct, app.requireCsrf], schema: { summary: 'Mark "received a paper ballot" for the contests of the member\'s place not yet voted', body: iinBody, response: { 201: z.object({ checkinId: z.number().int(), contestIds: z.array(z.number().int()) }), ...errors } } },
    async (request, reply) => {
      const staff = request.staff!;
      const station = await ownStation(app.db, staff);
      const done = await checkIn(stores(), staff, station, request.body.iin);
      return reply.code(201).send({ checkinId: done.checkin.id, contestIds: done.contestIds });
    },
  );

  app.post(
    '/paper/checkins/:id/hand-over',
    { preHandler: [app.staffAuthenticate, precinct, app.requireCsrf], schema: { summary: 'The ballot is handed over: the check-in can no longer be undone', params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: z.object({ ok: z.literal(true) }), ...errors } } },
    async (request) => {
      const staff = request.staff!;
      await handOver(stores(), staff, await ownStation(app.db, staff), request.params.id);
      return { ok: true as const };
    },
  );

  app.post(
    '/paper/checkins/:id/undo',
    {
      preHandler: [app.staffAuthenticate, precinct, app.requireCsrf],
      schema: { summary: 'Undo a check-in before its ballot is handed over (audited with the reason)', params: z.object({ id: z.coerce.number().int().positive() }), body: z.object({ reason: z.string().trim().min(3).max(500) }), response: { 200: z.object({ ok: z.literal(true) }), ...errors } },
    },
    async (request) => {
      const staff = request.staff!;
      await undoCheckin(stores(), staff, await ownStation(app.db, staff), request.params.id, request.body.reason);
      return { ok: true as const };
    },
  );
}
