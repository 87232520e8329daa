import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { countContestCheckins, findElectionBySlug, listProtocols, protocolEntries, stationContestIds } from '@primaries/db';
import { QUEUES, type TallyJob, bullPrefix } from '@primaries/queue';
import { errorBody } from '@primaries/service-kit';
import { ownStation } from '../paper/checkin';
import { PaperErrors } from '../paper/errors';
import { ProtocolProblems, SCAN_MAX_BYTES, attachScan, decideStationProtocol, enterProtocol, submitStationProtocol } from '../paper/protocols';
import { errorAnswer } from './schemas';

const count = z.number().int().min(0).max(1_000_000);
const entryBody = z.object({
  contestId: z.number().int().positive(),
  received: count,
  issued: count,
  found: count,
  spoiled: count,
  votes: z.array(z.object({ candidateId: z.number().int().positive(), votes: count })).max(500),
});
const problemsAnswer = errorAnswer.extend({ error: z.object({ code: z.string(), message: z.string(), problems: z.array(z.object({ code: z.string(), limit: z.number().int().optional(), checkins: z.number().int().optional(), candidateId: z.number().int().optional() })).optional() }).passthrough() });
const errors = { 401: errorAnswer, 403: errorAnswer, 404: errorAnswer, 409: errorAnswer, 422: problemsAnswer };
const ok = z.object({ ok: z.literal(true) });

/** Maps the control relations' problems to a 422 that lists each one. */
async function withProblems<T>(request: FastifyRequest, reply: FastifyReply, run: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof ProtocolProblems)) throw err;
    return reply.code(422).send(errorBody(request, reply, new PaperErrors.PROTOCOL_INVALID(), { problems: err.problems }));
  }
}

/**
 * Precinct protocols (issue #15, docs/paper.md): after the station closes, two commission
 * accounts each enter the protocol of a contest; matching entries are submitted; an
 * organizer accepts (the tally is rebuilt) or returns it with a reason. Every step audited.
 */
export default async function paperProtocolRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const precinct = [app.staffAuthenticate, app.requireRole('precinct'), app.requireCsrf];
  const organizer = [app.staffAuthenticate, app.requireRole('organizer'), app.requireCsrf];
  const tallies = new Queue<TallyJob>(QUEUES.tallies, { connection: app.queueReader, prefix: bullPrefix(app.redisPrefix) });
  app.addHook('onClose', async () => tallies.close());

  app.get(
    '/paper/station/protocols',
    { preHandler: [app.staffAuthenticate, app.requireRole('precinct')], schema: { summary: "The station's protocols per contest: candidates, check-ins, entries, status", response: { 200: z.object({ protocols: z.array(z.object({ contestId: z.number().int(), contest: z.string(), maxChoices: z.number().int(), checkins: z.number().int(), candidates: z.array(z.object({ id: z.number().int(), name: z.string() })), entries: z.number().int(), mine: z.boolean(), status: z.string().nullable(), returnReason: z.string().nullable() })) }), 401: errorAnswer, 403: errorAnswer } } },
    async (request) => {
      const staff = request.staff!;
      const station = await ownStation(app.db, staff);
      const ids = await stationContestIds(app.db, station.id);
      const protocols = await Promise.all(
        ids.map(async (id) => {
          const contest = await app.db.selectFrom('contests').select(['name', 'max_choices']).where('id', '=', id).executeTakeFirstOrThrow();
          const candidates = await app.db.selectFrom('candidates').select(['id', 'full_name as name']).where('contest_id', '=', id).orderBy('ballot_order').execute();
          const entries = await protocolEntries(app.db, station.id, id);
          const p = await app.db.selectFrom('paper_protocols').select(['status', 'return_reason']).where('polling_station_id', '=', station.id).where('contest_id', '=', id).executeTakeFirst();
          return { contestId: id, contest: contest.name, maxChoices: contest.max_choices, checkins: await countContestCheckins(app.db, station.id, id), candidates, entries: entries.length, mine: entries.some((e) => e.staff_id === staff.id), status: p?.status ?? null, returnReason: p?.return_reason ?? null };
        }),
      );
      return { protocols };
    },
  );

  app.post(
    '/paper/protocols/entries',
    { preHandler: precinct, schema: { summary: "One commission account's entry of a protocol (control relations checked)", body: entryBody, response: { 200: z.object({ entries: z.number().int(), matching: z.boolean() }), ...errors } } },
    async (request, reply) => {
      const staff = request.staff!;
      const b = request.body;
      const station = await ownStation(app.db, staff);
      const votes = Object.fromEntries(b.votes.map((v) => [String(v.candidateId), v.votes]));
      return withProblems(request, reply, () => enterProtocol(app.db, staff, station, b.contestId, { received: b.received, issued: b.issued, found: b.found, spoiled: b.spoiled, votes }));
    },
  );

  app.post(
    '/paper/protocols/submit',
    { preHandler: precinct, schema: { summary: 'Submit a protocol whose two entries (two accounts) match', body: z.object({ contestId: z.number().int().positive() }), response: { 200: z.object({ protocolId: z.number().int() }), ...errors } } },
    async (request, reply) => {
      const staff = request.staff!;
      const station = await ownStation(app.db, staff);
      return withProblems(request, reply, async () => ({ protocolId: await submitStationProtocol(app.db, staff, station, request.body.contestId) }));
    },
  );

  app.post(
    '/paper/protocols/scan',
    {
      preHandler: precinct,
      bodyLimit: Math.ceil((SCAN_MAX_BYTES * 4) / 3) + 4096,
      schema: { summary: "Attach the signed paper protocol's scan (PDF, JPEG or PNG by content; SHA-256 kept)", body: z.object({ contestId: z.number().int().positive(), content: z.string().base64() }), response: { 200: z.object({ sha256: z.string(), mediaType: z.string() }), 413: errorAnswer, 415: errorAnswer, ...errors } },
    },
    async (request) => {
      const staff = request.staff!;
      return attachScan(app.db, staff, await ownStation(app.db, staff), request.body.contestId, Buffer.from(request.body.content, 'base64'));
    },
  );

  app.get(
    '/paper/protocols',
    { preHandler: [app.staffAuthenticate, app.requireRole('organizer', 'observer')], schema: { summary: 'Protocols of the current election (organizers, observers)', querystring: z.object({ status: z.enum(['submitted', 'accepted', 'rejected']).optional() }), response: { 200: z.object({ protocols: z.array(z.object({ id: z.number().int(), status: z.string(), contestId: z.number().int(), contest: z.string(), stationId: z.number().int(), station: z.string(), settlement: z.string(), received: z.number().int(), issued: z.number().int(), found: z.number().int(), spoiled: z.number().int(), returnReason: z.string().nullable(), scanSha256: z.string().nullable(), scanType: z.string().nullable(), votes: z.array(z.object({ candidateId: z.number().int(), votes: z.number().int() })) })) }), 401: errorAnswer, 403: errorAnswer } } },
    async (request) => {
      const election = await findElectionBySlug(app.db);
      return { protocols: election ? await listProtocols(app.db, election.id, request.query.status) : [] };
    },
  );

  const idParams = z.object({ id: z.coerce.number().int().positive() });
  app.post(
    '/paper/protocols/:id/accept',
    { preHandler: organizer, schema: { summary: 'Accept a submitted protocol: it joins the next tally (a rebuild is queued now)', params: idParams, response: { 200: ok, ...errors } } },
    async (request) => {
      await decideStationProtocol(app.db, request.staff!, request.params.id, { accept: true });
      // The scheduled rebuild would include it anyway; this brings it forward.
      await tallies.add('rebuild', { reason: 'manual' }, { removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } }).catch((err: unknown) => app.outages.reportOrLog(err, request.log, 'tally rebuild not queued'));
      return { ok: true as const };
    },
  );

  app.post(
    '/paper/protocols/:id/return',
    { preHandler: organizer, schema: { summary: 'Return a submitted protocol to its commission with a reason (its entries start again)', params: idParams, body: z.object({ reason: z.string().trim().min(3).max(500) }), response: { 200: ok, ...errors } } },
    async (request) => {
      await decideStationProtocol(app.db, request.staff!, request.params.id, { accept: false, reason: request.body.reason });
      return { ok: true as const };
    },
  );
}
