import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PaperCsvError, findElectionBySlug, listStationsProgress, runPaperImport } from '@primaries/db';
import { errorBody } from '@primaries/service-kit';
import { PaperErrors } from '../paper/errors';
import { errorAnswer } from './schemas';

const importAnswer = z.object({ kind: z.enum(['stations', 'list']), electionId: z.number().int(), rows: z.number().int(), written: z.number().int() });
const rejectsAnswer = errorAnswer.extend({ error: z.object({ code: z.string(), message: z.string(), rejects: z.array(z.object({ line: z.number().int(), reason: z.string(), message: z.string() })).optional() }).passthrough() });

/** Polling stations and their lists, for organizers (issue #15, docs/paper.md): import from CSV, progress per station. */
export default async function paperStationRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const organizer = app.requireRole('organizer');

  app.get(
    '/paper/stations',
    { preHandler: [app.staffAuthenticate, app.requireRole('organizer', 'observer')], schema: { summary: 'Polling stations of the current election: list size, check-ins, protocols submitted and accepted', response: { 200: z.object({ stations: z.array(z.object({ id: z.number().int(), code: z.string(), settlement: z.string(), listed: z.number().int(), checkedIn: z.number().int(), submitted: z.number().int(), accepted: z.number().int() })) }), 401: errorAnswer, 403: errorAnswer } } },
    async () => {
      const election = await findElectionBySlug(app.db);
      return { stations: election ? await listStationsProgress(app.db, election.id) : [] };
    },
  );

  app.post(
    '/paper/stations/import',
    {
      preHandler: [app.staffAuthenticate, organizer, app.requireCsrf],
      bodyLimit: 20 * 1024 * 1024,
      schema: {
        summary: 'Import polling stations or a station list from CSV (all or nothing; refused lines are reported by number and reason)',
        body: z.object({ csv: z.string().min(1).max(20 * 1024 * 1024) }),
        response: { 200: importAnswer, 401: errorAnswer, 403: errorAnswer, 409: errorAnswer, 422: rejectsAnswer },
      },
    },
    async (request, reply) => {
      const actor = request.staff!;
      try {
        const r = await runPaperImport(app.db, request.body.csv, { role: actor.role, id: String(actor.id) });
        if (r.rejects.length || r.written === 0) {
          const err = new PaperErrors.IMPORT_INVALID();
          return reply.code(422).send(errorBody(request, reply, err, { rejects: r.rejects.slice(0, 1000) }));
        }
        return { kind: r.kind, electionId: r.electionId, rows: r.rows, written: r.written };
      } catch (err) {
        if (err instanceof PaperCsvError) return reply.code(422).send(errorBody(request, reply, { code: new PaperErrors.IMPORT_INVALID().code, message: err.message }));
        throw err;
      }
    },
  );
}
