import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DEVELOPMENT_POW_SECRET } from '@primaries/config';
import { EvidenceProblem, checkEvidence, checkPow, complaintBodySchema, complaintFiledSchema, complaintStateSchema, enqueueComplaint, jobEvidence, newTracking, powChallenge, readComplaintState, takeComplaintSlot, trackingSchema, writeComplaintState } from '@primaries/complaints';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { errorBody } from '@primaries/service-kit';
import { ResultsErrorCodes } from '../errors';

const errorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }).passthrough() });
const STATUS: Record<string, number> = { EVIDENCE_TOO_MANY: 422, EVIDENCE_TOO_LARGE: 413, EVIDENCE_TYPE: 415, EVIDENCE_BOMB: 422, EVIDENCE_POLYGLOT: 422 };

/**
 * The public complaint form's API (issue #14, docs/control.md). The results site has no
 * database: a complaint is checked here (proof of work, rate, evidence by content) and
 * queued for the worker, which stores it; the complainant follows its state by tracking number.
 */
export default async function complaintRoutes(appBase: FastifyInstance, opts: { powSecret?: string | undefined; perHour: number; production: boolean }) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  if (!opts.powSecret && opts.production) throw new Error('COMPLAINT_POW_SECRET is required when NODE_ENV=production');
  const secret = opts.powSecret ?? DEVELOPMENT_POW_SECRET;
  const prefix = app.redisPrefix;
  const queue = new Queue(QUEUES.complaints, { connection: app.redis, prefix: bullPrefix(prefix) });
  queue.on('error', () => undefined);
  app.addHook('onClose', async () => {
    await queue.close();
  });
  const fail = (request: Parameters<typeof errorBody>[0], reply: Parameters<typeof errorBody>[1], status: number, code: string, message: string, params: unknown[] = []) =>
    reply.code(status).send(errorBody(request, reply, { code, message, params }));

  app.get('/challenge', { schema: { summary: 'A proof-of-work challenge for the complaint form (ALTCHA)', tags: ['complaints'], response: { 200: z.object({ parameters: z.record(z.string(), z.unknown()), signature: z.string().optional() }) } } }, async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const c = await powChallenge(secret);
    return { parameters: { ...c.parameters }, ...(c.signature ? { signature: c.signature } : {}) };
  });

  app.post(
    '/',
    {
      bodyLimit: 14 * 1024 * 1024,
      schema: { summary: 'File a complaint (anyone, with a contact and a solved challenge)', tags: ['complaints'], body: complaintBodySchema, response: { 201: complaintFiledSchema, 403: errorAnswer, 413: errorAnswer, 415: errorAnswer, 422: errorAnswer, 429: errorAnswer } },
    },
    async (request, reply) => {
      const b = request.body;
      if (!b.contact) return fail(request, reply, 422, ResultsErrorCodes.CONTACT_REQUIRED, 'A phone number or e-mail address is required');
      if (!(await checkPow(app.redis, prefix, secret, b.pow))) return fail(request, reply, 403, ResultsErrorCodes.POW_INVALID, 'The proof of work is missing, wrong, expired or already used');
      if (!(await takeComplaintSlot(app.redis, prefix, `ip:${request.ip}`, opts.perHour, 3600))) return fail(request, reply, 429, ResultsErrorCodes.COMPLAINT_LIMIT, 'Too many complaints from this address; try again later');
      const snapshot = app.snapshots.current?.snapshot;
      if (b.subject.kind === 'candidate' && snapshot && !snapshot.contests.some((c) => c.candidates.some((k) => k.id === b.subject.id))) {
        return fail(request, reply, 422, ResultsErrorCodes.UNKNOWN_SUBJECT, 'No such candidate');
      }
      let evidence;
      try {
        evidence = await checkEvidence(b.evidence);
      } catch (err) {
        if (!(err instanceof EvidenceProblem)) throw err;
        return fail(request, reply, STATUS[err.problem] ?? 422, `RESULTS_ERR_${err.problem}`, err.message, [err.fileName ?? '']);
      }
      const tracking = newTracking();
      await enqueueComplaint(queue, { tracking, electionId: snapshot?.electionId ?? null, source: 'web', memberId: null, subject: b.subject, category: b.category, text: b.text, contact: b.contact, evidence: jobEvidence(evidence) });
      await writeComplaintState(app.redis, prefix, tracking, 'received', new Date());
      reply.header('cache-control', 'no-store');
      return reply.code(201).send({ tracking });
    },
  );

  app.get(
    '/:tracking',
    { schema: { summary: "A complaint's state, by its tracking number", tags: ['complaints'], params: z.object({ tracking: trackingSchema }), response: { 200: complaintStateSchema, 404: errorAnswer } } },
    async (request, reply) => {
      const state = await readComplaintState(app.redis, prefix, request.params.tracking);
      reply.header('cache-control', 'no-store');
      if (!state) return fail(request, reply, 404, ResultsErrorCodes.COMPLAINT_NOT_FOUND, 'No complaint with this tracking number');
      return state;
    },
  );
}
