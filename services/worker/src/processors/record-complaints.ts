import { UnrecoverableError, Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import { type ComplaintJob, complaintJobSchema, writeComplaintState } from '@primaries/complaints';
import { type Database, insertComplaint } from '@primaries/db';
import { QUEUES } from '@primaries/queue';
import { type Running, type WorkerContext, onQueueError } from '../context';
import { findElection } from '../tally/build-snapshot';

/** The subject's id when it names a row of this election that exists; null otherwise (the text still says what it was). */
async function subjectIds(db: Kysely<Database>, electionId: number, s: ComplaintJob['subject']) {
  const ids = { candidateId: null as number | null, stationId: null as number | null, contestId: null as number | null };
  if (s.id === undefined) return ids;
  if (s.kind === 'candidate') {
    const row = await db.selectFrom('candidates').innerJoin('contests', 'contests.id', 'candidates.contest_id').select(['candidates.id', 'candidates.contest_id']).where('candidates.id', '=', s.id).where('contests.election_id', '=', electionId).executeTakeFirst();
    if (row) Object.assign(ids, { candidateId: row.id, contestId: row.contest_id });
  } else if (s.kind === 'contest') {
    const row = await db.selectFrom('contests').select('id').where('id', '=', s.id).where('election_id', '=', electionId).executeTakeFirst();
    if (row) ids.contestId = row.id;
  } else if (s.kind === 'station') {
    const row = await db.selectFrom('polling_stations').select('id').where('id', '=', s.id).executeTakeFirst();
    if (row) ids.stationId = row.id;
  }
  return ids;
}

/** Stores one complaint and its evidence (one transaction; a replayed job stores nothing twice). */
export async function recordComplaint(db: Kysely<Database>, job: ComplaintJob): Promise<number | null> {
  const electionId = job.electionId ?? (await findElection(db))?.id;
  if (!electionId) throw new UnrecoverableError('no election to file the complaint under');
  const ids = await subjectIds(db, electionId, job.subject);
  return db.transaction().execute((trx) =>
    insertComplaint(trx, {
      electionId,
      tracking: job.tracking,
      source: job.source,
      subjectKind: job.subject.kind,
      ...ids,
      memberId: job.memberId,
      category: job.category,
      text: job.text,
      contact: job.contact,
      evidence: job.evidence.map((e) => ({ file_name: e.name, media_type: e.mediaType, size: e.size, sha256: e.sha256, bytes: Buffer.from(e.data, 'base64') })),
    }),
  );
}

/**
 * Stores complaints from the public sites (QUEUES.complaints, issue #14): the results site
 * has no database, so both sites check the complaint and queue it; this writes it to
 * Postgres and tells the complainant's tracking page it is received.
 */
export async function startRecordComplaints(ctx: WorkerContext): Promise<Running | null> {
  const prefix = ctx.config.REDIS_PREFIX;
  const worker = new Worker(
    QUEUES.complaints,
    async (job) => {
      const parsed = complaintJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError('not a complaint job');
      const id = await recordComplaint(ctx.db, parsed.data);
      if (id !== null) await writeComplaintState(ctx.redis, prefix, parsed.data.tracking, 'received', new Date());
      return { stored: id !== null };
    },
    { connection: ctx.connection(), prefix: ctx.bullPrefix, concurrency: 2 },
  );
  worker.on('failed', (job, err) => ctx.log.warn({ jobId: job?.id, err: { message: err.message } }, 'complaint not stored'));
  worker.on('error', onQueueError(ctx, 'complaints worker error'));
  return { name: 'record-complaints', close: () => worker.close() };
}
