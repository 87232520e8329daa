import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { type ComplaintBody, EvidenceProblem, checkEvidence, complaintBodySchema, complaintFiledSchema, enqueueComplaint, jobEvidence, newTracking, takeComplaintSlot, writeComplaintState } from '@primaries/complaints';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { VoteErrors } from '../../errors';

/** Complaints per member per hour. */
const MEMBER_COMPLAINTS_PER_HOUR = 5;

/** The vote site's error for an evidence problem (nothing of the complaint is kept). */
function evidenceError(err: EvidenceProblem): Error {
  const name = err.fileName ?? '';
  switch (err.problem) {
    case 'EVIDENCE_TOO_MANY':
      return new VoteErrors.EVIDENCE_TOO_MANY();
    case 'EVIDENCE_TOO_LARGE':
      return new VoteErrors.EVIDENCE_TOO_LARGE(name);
    case 'EVIDENCE_TYPE':
      return new VoteErrors.EVIDENCE_TYPE(name);
    case 'EVIDENCE_BOMB':
      return new VoteErrors.EVIDENCE_BOMB(name);
    case 'EVIDENCE_POLYGLOT':
      return new VoteErrors.EVIDENCE_POLYGLOT(name);
  }
}

/**
 * POST /api/v1/complaints (issue #14): a signed-in member's complaint. The evidence is
 * checked here (type by content, size, bombs, polyglots) and the complaint goes on the
 * complaints queue to the worker, which stores it; the answer is its tracking number.
 */
export default async function complaintRoutes(app: FastifyInstance): Promise<void> {
  const prefix = app.redisPrefix;
  const queue = new Queue(QUEUES.complaints, { connection: app.redis, prefix: bullPrefix(prefix) });
  queue.on('error', (err) => app.outages.report('redis', err));
  app.addHook('onClose', async () => {
    await queue.close();
  });
  app.post(
    '',
    {
      preHandler: app.authenticate,
      bodyLimit: 14 * 1024 * 1024,
      config: { statuses: [401, 413, 415, 422, 429] },
      schema: { summary: "A signed-in member's complaint to the party-control committee", security: [{ bearer: [] }], body: complaintBodySchema, response: { 201: complaintFiledSchema } },
    },
    async (request, reply) => {
      const session = request.session!;
      const body = request.body as ComplaintBody;
      const memberId = String(session.memberId);
      if (!(await takeComplaintSlot(app.redis, prefix, `member:${memberId}`, MEMBER_COMPLAINTS_PER_HOUR, 3600))) throw new VoteErrors.COMPLAINT_LIMIT();
      let evidence;
      try {
        evidence = await checkEvidence(body.evidence);
      } catch (err) {
        if (err instanceof EvidenceProblem) throw evidenceError(err);
        throw err;
      }
      const tracking = newTracking();
      await enqueueComplaint(queue, {
        tracking,
        electionId: session.electionId,
        source: 'member',
        memberId,
        subject: body.subject,
        category: body.category,
        text: body.text,
        contact: body.contact ?? null,
        evidence: jobEvidence(evidence),
      });
      await writeComplaintState(app.redis, prefix, tracking, 'received', new Date());
      reply.code(201).header('cache-control', 'no-store');
      return { tracking };
    },
  );
}
