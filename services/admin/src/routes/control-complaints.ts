import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EvidenceProblem, checkEvidence, newTracking } from '@primaries/complaints';
import { addComplaintNote, appendAuditEvent, assignComplaint, currentElectionForAuth, findComplaint, findEvidence, insertComplaint, listComplaints } from '@primaries/db';
import { AdminErrors } from '../errors';
import { complaintDetail, complaintStatus, complaintView, staffComplaintBody, toComplaintView } from './control-schemas';
import { errorAnswer } from './schemas';

const idParams = z.object({ id: z.coerce.number().int().positive() });

/** Complaints for the party-control committee (issue #14, docs/control.md): list, read, enter, assign, note. */
export default async function controlComplaintRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const control = app.requireRole('control');
  const read = [app.staffAuthenticate, control];
  const write = [app.staffAuthenticate, control, app.requireCsrf];
  const actorOf = (s: { role: string; id: number }) => ({ role: s.role, id: String(s.id) });

  app.get(
    '/control/complaints',
    {
      preHandler: read,
      schema: {
        summary: 'Complaints, newest first, filtered (control)',
        querystring: z.object({ status: complaintStatus.optional(), subjectKind: z.enum(['candidate', 'member', 'station', 'contest', 'process']).optional(), mine: z.coerce.boolean().optional(), offset: z.coerce.number().int().min(0).default(0) }),
        response: { 200: z.object({ complaints: z.array(complaintView) }), 401: errorAnswer, 403: errorAnswer },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const rows = await listComplaints(app.db, { ...(q.status ? { status: q.status } : {}), ...(q.subjectKind ? { subjectKind: q.subjectKind } : {}), ...(q.mine ? { assigneeId: request.staff!.id } : {}), offset: q.offset });
      reply.header('cache-control', 'no-store');
      return { complaints: rows.map(toComplaintView) };
    },
  );

  app.get(
    '/control/complaints/:id',
    { preHandler: read, schema: { summary: 'One complaint with its evidence and notes (control)', params: idParams, response: { 200: complaintDetail, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (request, reply) => {
      const found = await findComplaint(app.db, request.params.id);
      if (!found) throw new AdminErrors.COMPLAINT_NOT_FOUND();
      reply.header('cache-control', 'no-store');
      return {
        complaint: toComplaintView(found.complaint),
        evidence: found.evidence.map((e) => ({ id: e.id, name: e.file_name, mediaType: e.media_type, size: e.size, sha256: e.sha256 })),
        notes: found.notes.map((n) => ({ id: n.id, staffId: n.staff_id, text: n.text, at: new Date(n.at).toISOString() })),
      };
    },
  );

  app.get(
    '/control/complaints/:id/evidence/:evidenceId',
    { preHandler: read, schema: { summary: 'An evidence file, as a download (control)', params: idParams.extend({ evidenceId: z.coerce.number().int().positive() }) } },
    async (request, reply) => {
      const e = await findEvidence(app.db, request.params.id, request.params.evidenceId);
      if (!e) throw new AdminErrors.COMPLAINT_NOT_FOUND();
      // Never rendered in the console's origin: a download, no sniffing, sandboxed.
      reply
        .header('content-type', e.media_type)
        .header('content-disposition', `attachment; filename="evidence-${e.id}.${e.media_type.split('/')[1]}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', 'sandbox')
        .header('cache-control', 'no-store');
      return reply.send(e.bytes);
    },
  );

  app.post(
    '/control/complaints',
    {
      preHandler: write,
      bodyLimit: 16 * 1024 * 1024,
      schema: { summary: 'Enter a hotline or e-mail complaint (control)', body: staffComplaintBody, response: { 201: z.object({ id: z.number(), tracking: z.string() }), 401: errorAnswer, 403: errorAnswer, 404: errorAnswer, 422: errorAnswer } },
    },
    async (request, reply) => {
      const b = request.body;
      const evidence = await checkEvidence(b.evidence).catch((err: unknown) => {
        throw err instanceof EvidenceProblem ? new AdminErrors.EVIDENCE_REFUSED(err.message) : err;
      });
      const election = await currentElectionForAuth(app.db);
      if (!election) throw new AdminErrors.COMPLAINT_NOT_FOUND();
      const tracking = newTracking();
      const s = b.subject;
      const id = await app.db.transaction().execute(async (trx) => {
        const cid = await insertComplaint(trx, {
          electionId: election.id, tracking, source: b.source, subjectKind: s.kind,
          candidateId: s.kind === 'candidate' ? (s.id ?? null) : null, stationId: s.kind === 'station' ? (s.id ?? null) : null, contestId: s.kind === 'contest' ? (s.id ?? null) : null,
          memberId: b.memberId ?? null, category: b.category, text: b.text, contact: b.contact ?? null,
          evidence: evidence.map((e) => ({ file_name: e.name, media_type: e.mediaType, size: e.size, sha256: e.sha256, bytes: e.bytes })),
        });
        await appendAuditEvent(trx, { actor: actorOf(request.staff!), action: 'control.complaint_entered', subject: `complaint:${cid}`, reason: b.source, electionId: election.id });
        return cid!;
      });
      await app.controlEffects.complaintState(tracking, 'received', new Date());
      return reply.code(201).send({ id, tracking });
    },
  );

  app.post(
    '/control/complaints/:id/assign',
    { preHandler: write, schema: { summary: 'Assign a complaint (to oneself by default); it goes under review (control)', params: idParams, body: z.object({ staffId: z.number().int().positive().optional() }), response: { 200: z.object({ status: complaintStatus }), 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (request) => {
      const staffId = request.body.staffId ?? request.staff!.id;
      const row = await app.db.transaction().execute(async (trx) => {
        const r = await assignComplaint(trx, request.params.id, staffId);
        if (!r) throw new AdminErrors.COMPLAINT_NOT_FOUND();
        await appendAuditEvent(trx, { actor: actorOf(request.staff!), action: 'control.complaint_assigned', subject: `complaint:${request.params.id}`, reason: `staff:${staffId}` });
        return r;
      });
      await app.controlEffects.complaintState(row.tracking, row.status, row.updated_at);
      return { status: row.status };
    },
  );

  app.post(
    '/control/complaints/:id/notes',
    { preHandler: write, schema: { summary: 'Add a note to a complaint (control)', params: idParams, body: z.object({ text: z.string().trim().min(1).max(4000) }), response: { 201: z.object({ id: z.number(), at: z.string() }), 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (request, reply) => {
      const note = await app.db.transaction().execute(async (trx) => {
        if (!(await findComplaint(trx, request.params.id))) throw new AdminErrors.COMPLAINT_NOT_FOUND();
        const n = await addComplaintNote(trx, request.params.id, request.staff!.id, request.body.text);
        await appendAuditEvent(trx, { actor: actorOf(request.staff!), action: 'control.complaint_noted', subject: `complaint:${request.params.id}` });
        return n;
      });
      return reply.code(201).send({ id: note.id, at: new Date(note.at).toISOString() });
    },
  );
}
