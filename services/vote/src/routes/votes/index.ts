import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram } from 'prom-client';
import { z } from 'zod';
import { type BallotContest, type BallotProblem, type VoteBody, checkSelections, voteBodySchema, windowState } from '@primaries/domain';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { type ClaimConflict, claimContests, claimMembers, claimSweepIntervalMs, releaseContests } from '@primaries/redis-protocols';
import { VoteErrors } from '../../errors';
import { BacklogMonitor } from '../../voting/backlog';
import { VoteBatcher } from '../../voting/batcher';
import { electionCacheFor, voterContests, votesOnPaper } from '../../voting/election-cache';
import { newReceipt } from '../../voting/receipt';

/** Seconds a client should wait after a 503 (backlog over the limit, or Redis away). */
const RETRY_AFTER_BACKLOG_SECONDS = 5;
const RETRY_AFTER_UNAVAILABLE_SECONDS = 2;

function unavailable(retryAfter: number): Error {
  return Object.assign(new VoteErrors.UNAVAILABLE(), { retryAfter });
}

/**
 * Seconds until a claim unconfirmed for `ageMs` should have been released by the worker's
 * sweep (claims older than VOTE_CLAIM_TIMEOUT_SECONDS, swept every claimSweepIntervalMs;
 * later while the queue is behind), 5 at least.
 */
function retryAfterProvisional(ageMs: number, timeoutSeconds: number): number {
  return Math.max(RETRY_AFTER_BACKLOG_SECONDS, Math.ceil((timeoutSeconds * 1000 - ageMs + claimSweepIntervalMs(timeoutSeconds)) / 1000));
}

/** A contest already claimed: voted (409), or claimed by a request whose batch never reached the queue (503 until the sweep). */
function conflictError(c: ClaimConflict, timeoutSeconds: number): Error {
  if (c.provisionalForMs === null) return new VoteErrors.ALREADY_VOTED(c.contestId);
  return unavailable(retryAfterProvisional(c.provisionalForMs, timeoutSeconds));
}

function problemError(p: BallotProblem, contests: ReadonlyMap<number, BallotContest>): Error {
  switch (p.code) {
    case 'DUPLICATE_CONTEST':
      return new VoteErrors.DUPLICATE_CONTEST(p.contestId);
    case 'NOT_YOUR_CONTEST':
      return new VoteErrors.NOT_YOUR_CONTEST(p.contestId);
    case 'UNKNOWN_CANDIDATE':
      return new VoteErrors.UNKNOWN_CANDIDATE(p.candidateId, p.contestId);
    case 'CANDIDATE_REMOVED':
      return new VoteErrors.CANDIDATE_REMOVED(p.candidateId, p.contestId);
    case 'TOO_MANY_MARKS':
      return new VoteErrors.TOO_MANY_MARKS(p.contestId, contests.get(p.contestId)?.maxChoices);
    case 'DUPLICATE_MARK':
      return new VoteErrors.DUPLICATE_MARK(p.candidateId, p.contestId);
  }
}

const accepted = z.object({
  /** One receipt per contest ballot, each independent of the others (no shared hash). */
  receipts: z.array(z.object({ contestId: z.number().int(), receipt: z.string() })),
  status: z.literal('queued'),
});

/**
 * POST /api/v1/votes: check the ballot against the voter's contests, claim the contests in
 * the Redis pre-check (all or none), queue the votes in the tick's batch, answer 202 with one
 * receipt per contest ballot once the batch is in Redis. Nothing of the choice is logged.
 */
export default async function routes(app: FastifyInstance): Promise<void> {
  const config = app.config;
  const cache = electionCacheFor(app.db);
  const prefix = app.redisPrefix;
  const queue = new Queue(QUEUES.votes, { connection: app.redis, prefix: bullPrefix(prefix) });
  // The queue's connection events: Redis going away (logged once by app.outages).
  queue.on('error', (err) => app.outages.report('redis', err));
  const backlog = new BacklogMonitor(app.redis, prefix);
  backlog.start();
  const votesAccepted = new Counter({ name: 'votes_accepted_total', help: 'Contest votes queued (202)', registers: [app.metrics] });
  const refused = new Counter({ name: 'vote_requests_refused_total', help: 'Vote requests refused, by error code', labelNames: ['code'], registers: [app.metrics] });
  new Gauge({
    name: 'votes_backlog',
    help: 'Votes queued but not yet recorded, as this instance last saw it',
    registers: [app.metrics],
    collect() {
      this.set(backlog.value);
    },
  });
  const batchSize = new Histogram({
    name: 'vote_batch_size',
    help: 'Votes per queued batch (one BullMQ job each)',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
    registers: [app.metrics],
  });
  const batcher = new VoteBatcher(queue, app.redis, prefix, {
    max: config.VOTE_BATCH_MAX,
    onQueued(n) {
      backlog.queued(n);
      votesAccepted.inc(n);
      batchSize.observe(n);
    },
    onConfirmFailed: (err) => app.outages.reportOrLog(err, app.log, 'vote claims not confirmed'),
  });
  app.addHook('onClose', async () => {
    backlog.stop();
    await batcher.drain();
    await queue.close();
  });

  const refuse = (err: Error & { code?: string }): Error => {
    refused.inc({ code: err.code ?? 'unknown' });
    return err;
  };

  app.post(
    '',
    {
      preHandler: app.authenticate,
      config: { statuses: [401, 403, 409, 422] },
      schema: {
        summary: 'Cast the ballot: one selection per contest of the voter',
        security: [{ bearer: [] }],
        body: voteBodySchema,
        response: { 202: accepted },
      },
    },
    async (request, reply) => {
      const session = request.session!;
      const memberId = String(session.memberId);
      const body = request.body as VoteBody;
      const view = await cache.election(session.electionId);
      if (!view) throw refuse(new VoteErrors.NOT_ELIGIBLE());
      if (windowState(view.election) !== 'open') throw refuse(new VoteErrors.WINDOW_CLOSED());
      const place = await cache.voterPlace(session);
      if (!place || place.status !== 'active') throw refuse(new VoteErrors.NOT_ELIGIBLE());
      if (votesOnPaper(place, session.electionId)) throw refuse(new VoteErrors.PAPER_VOTER());

      const mine = new Map(voterContests(view, place).map((c) => [c.id, c.rules] as const));
      const { problems, checked } = checkSelections(body.selections, mine);
      if (problems[0]) throw refuse(problemError(problems[0], mine));

      // Shed load before claiming anything: the voter can simply retry later.
      if (backlog.value >= config.VOTE_BACKLOG_LIMIT) throw refuse(unavailable(RETRY_AFTER_BACKLOG_SECONDS));

      const receipts = checked.map(() => newReceipt());
      const claim = { electionId: session.electionId, memberId, contestIds: checked.map((c) => c.contestId), receiptHashes: receipts.map((r) => r.hash), checkBlock: true };
      let conflict: ClaimConflict | 'blocked' | 'unseeded' | null;
      try {
        // The party-control block is checked inside the claim script (issue #14): no extra round trip.
        conflict = await claimContests(app.redis, prefix, claim);
        if (conflict === 'unseeded') {
          await app.control.seedBlocks(session.electionId);
          conflict = await claimContests(app.redis, prefix, claim);
        }
      } catch (err) {
        app.outages.reportOrLog(err, request.log, 'pre-check failed');
        throw refuse(unavailable(RETRY_AFTER_UNAVAILABLE_SECONDS));
      }
      if (conflict === 'blocked') throw refuse(new VoteErrors.MEMBER_BLOCKED());
      if (conflict === 'unseeded') throw refuse(unavailable(RETRY_AFTER_UNAVAILABLE_SECONDS));
      if (conflict !== null) throw refuse(conflictError(conflict, config.VOTE_CLAIM_TIMEOUT_SECONDS));

      try {
        // Each contest ballot sealed apart, padded to its contest's limit (docs/secrecy.md):
        // the queue only ever holds the member id beside sealed ballots.
        const votes = checked.map((c, i) => {
          const receiptHash = claim.receiptHashes[i]!;
          const sealed = app.ballotSealer.seal({ contestId: c.contestId, marks: c.marks, receiptHash }, mine.get(c.contestId)?.maxChoices ?? c.marks.length);
          return { memberId, contestId: c.contestId, receiptHash, sealed };
        });
        await batcher.submit(votes, claimMembers(claim));
      } catch (err) {
        // Not queued: undo the claim so the voter can try again.
        app.outages.reportOrLog(err, request.log, 'vote batch not queued');
        await releaseContests(app.redis, prefix, claim).catch((e: unknown) => app.outages.reportOrLog(e, request.log, 'pre-check not released'));
        throw refuse(unavailable(RETRY_AFTER_UNAVAILABLE_SECONDS));
      }
      reply.code(202).header('cache-control', 'no-store');
      return { receipts: checked.map((c, i) => ({ contestId: c.contestId, receipt: receipts[i]!.receipt })), status: 'queued' as const };
    },
  );
}
