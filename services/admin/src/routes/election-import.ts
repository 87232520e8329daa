import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { preOpenProblems } from '@primaries/domain';
import { findElectionBySlug, preOpenData } from '@primaries/db';
import { type SetupFile, type SetupImportReport, SetupFileError, SetupRefusedError, deploymentFromEnv, importElectionSetup, setupEditable, setupKindOf } from '@primaries/election-setup';
import { errorBody } from '@primaries/service-kit';
import { AdminErrors } from '../errors';
import { errorAnswer } from './schemas';

/** The largest upload: ~10,000 candidates are ~2 MB of CSV; four files with room to spare. */
const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

const setupBody = z.object({
  /** The election's slug (default: the election that opens last, as the command line's). */
  election: z.string().trim().min(1).max(100).optional(),
  files: z.array(z.object({ name: z.string().trim().min(1).max(100), content: z.string().max(IMPORT_BODY_LIMIT) })).min(1).max(4),
});

const counted = z.object({ inserted: z.number().int(), updated: z.number().int() });
const reportView = z.object({
  electionId: z.number().int(),
  rows: z.record(z.string(), z.number().int()),
  applied: z.boolean(),
  dryRun: z.boolean(),
  counts: z.object({ regions: counted, districts: counted, contests: counted, candidates: counted.extend({ deleted: z.number().int() }) }).nullable(),
  rejects: z.array(z.object({ file: z.string(), line: z.number().int(), reason: z.string(), message: z.string() })),
});

const problemView = z.object({ code: z.string(), message: z.string(), contestId: z.number().int().optional() });
const setupView = z.object({
  election: z.object({ id: z.number().int(), slug: z.string(), name: z.string(), opensAt: z.string(), closesAt: z.string(), editable: z.boolean() }),
  problems: z.array(problemView),
});

async function electionFor(app: FastifyInstance, slug: string | undefined) {
  const election = await findElectionBySlug(app.db, slug);
  if (!election) throw new AdminErrors.ELECTION_NOT_FOUND();
  return election;
}

function setupFiles(files: z.infer<typeof setupBody>['files']): SetupFile[] {
  return files.map((f) => {
    const kind = setupKindOf(f.name.split(/[\\/]/).pop()!);
    if (!kind) throw new AdminErrors.IMPORT_FILE_INVALID('a setup file is named regions.csv, districts.csv, contests.csv or candidates.csv');
    return { kind, name: `${kind}.csv`, content: f.content };
  });
}

/** Runs the shared import as the signed-in organizer; file and window refusals become the catalogue's errors. */
async function runImport(app: FastifyInstance, request: FastifyRequest, body: z.infer<typeof setupBody>, dryRun: boolean): Promise<SetupImportReport> {
  const election = await electionFor(app, body.election);
  const actor = request.staff!;
  try {
    return await importElectionSetup(app.db, {
      election,
      files: setupFiles(body.files),
      actor: { role: actor.role, id: String(actor.id) },
      dryRun,
      today: new Date().toISOString().slice(0, 10),
    });
  } catch (err) {
    if (err instanceof SetupFileError) throw new AdminErrors.IMPORT_FILE_INVALID(err.message);
    if (err instanceof SetupRefusedError) throw new AdminErrors.SETUP_LOCKED();
    throw err;
  }
}

/**
 * The election's setup from the console (issue #13, docs/election-setup.md): the pre-open
 * check, a preview of an import (everything checked, nothing written) and the import itself
 * (all or nothing, audited `election.imported`), for organizers, until the window opens.
 */
export default async function electionImportRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const organizer = app.requireRole('organizer');
  const errors = { 400: errorAnswer, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer, 409: errorAnswer, 413: errorAnswer, 422: errorAnswer };

  app.get(
    '/election/setup',
    {
      preHandler: [app.staffAuthenticate, organizer],
      schema: { summary: "The election's pre-open check: every problem at once (organizers)", querystring: z.object({ election: z.string().trim().min(1).max(100).optional() }), response: { 200: setupView, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } },
    },
    async (request, reply) => {
      const election = await electionFor(app, request.query.election);
      const now = new Date();
      const data = await preOpenData(app.db, election.id);
      const editable = setupEditable(election, now);
      reply.header('cache-control', 'no-store');
      return {
        election: { id: election.id, slug: election.slug, name: election.name, opensAt: election.opens_at.toISOString(), closesAt: election.closes_at.toISOString(), editable },
        problems: preOpenProblems({ ...data, deployment: deploymentFromEnv(process.env), now }),
      };
    },
  );

  app.post(
    '/election/import/preview',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      preHandler: [app.staffAuthenticate, organizer, app.requireCsrf],
      schema: { summary: 'Check setup CSVs and count what an import would write; nothing is written (organizers)', body: setupBody, response: { 200: reportView, ...errors } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return runImport(app, request, request.body, true);
    },
  );

  app.post(
    '/election/import',
    {
      bodyLimit: IMPORT_BODY_LIMIT,
      preHandler: [app.staffAuthenticate, organizer, app.requireCsrf],
      schema: { summary: 'Import setup CSVs: all or nothing, refused once the window opens (organizers)', body: setupBody, response: { 200: reportView, ...errors } },
    },
    async (request, reply) => {
      const report = await runImport(app, request, request.body, false);
      reply.header('cache-control', 'no-store');
      if (report.rejects.length) return reply.code(422).send(errorBody(request, reply, new AdminErrors.IMPORT_REJECTED(report.rejects.length), { report }));
      return report;
    },
  );
}
