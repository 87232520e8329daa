import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Counter, Histogram, type Registry } from 'prom-client';
import { QUEUES, voteBatchSchema } from '@primaries/queue';
import { settleVoteBatch } from '@primaries/redis-protocols';
import { BallotSealer, type Sealer } from '@primaries/sealing';
import { dependencyFailure } from '@primaries/service-kit';
import { type Running, type WorkerContext, onQueueError } from '../context';
import { type Releaser, releaserFor } from '../release/releaser';
import { deadLetter, expireDeadLetters } from '../voting/dead-letters';
import { type RecordVotesDeps, type RecordVotesMetrics, recordVoteBatch } from '../voting/record-batch';

/**
 * The `votes` queue's worker: records each batch (voting/record-batch.ts: participation and
 * sealed ballots, then receipts), pokes the release step (a contest may now hold a group of
 * K), dead-letters what can never be recorded, and expires dead letters after
 * DEAD_LETTER_TTL_SECONDS.
 */

export interface RecordVotesOptions {
  /** BullMQ lock duration (ms): how soon a crashed worker's batch is retried by another. */
  lockDuration?: number;
  stalledInterval?: number;
  concurrency?: number;
  /** The release step to poke after each batch (shared with the tally); one of its own by default. */
  releaser?: Releaser;
  /** Open with this instead of BALLOT_KEYS (the linkage suite's deliberately unsealed run). */
  sealer?: Sealer;
}

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function recordVotesMetrics(registry: Registry): RecordVotesMetrics {
  return {
    recorded: metric(registry, 'votes_recorded_total', () => new Counter({ name: 'votes_recorded_total', help: 'Contest ballots recorded (sealed) in Postgres', registers: [registry] })),
    duplicates: metric(registry, 'votes_duplicate_total', () => new Counter({ name: 'votes_duplicate_total', help: 'Queued votes skipped because the member had already taken part in the contest', registers: [registry] })),
    dead: metric(registry, 'votes_dead_lettered_total', () => new Counter({ name: 'votes_dead_lettered_total', help: 'Votes copied to the dead-letter queue, by reason', labelNames: ['reason'] as const, registers: [registry] })),
    batchSeconds: metric(registry, 'vote_batch_duration_seconds', () => new Histogram({ name: 'vote_batch_duration_seconds', help: 'Time to record one batch of votes', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] })),
  };
}

/** How often the worker looks for dead letters to expire. */
const DEAD_LETTER_SWEEP_MS = 10 * 60_000;

/** How soon a batch that met a store outage is tried again (attempts are not spent). */
const OUTAGE_RETRY_MS = 2000;

function batchProcessor(ctx: WorkerContext, deps: RecordVotesDeps, releaser: Releaser) {
  const dl = { dead: deps.dead, deadCounter: deps.metrics.dead };
  return async (job: Job, token?: string) => {
    const parsed = voteBatchSchema.safeParse(job.data);
    const batchId = parsed.success ? parsed.data.batchId : String(job.id);
    if (!parsed.success) {
      await deadLetter(dl, batchId, 'batch', 'malformed batch', [job.data]);
      const n = Array.isArray((job.data as { votes?: unknown })?.votes) ? (job.data as { votes: unknown[] }).votes.length : 0;
      if (n) await settleVoteBatch(deps.redis, deps.redisPrefix, batchId, n);
      throw new UnrecoverableError('malformed vote batch');
    }
    const end = deps.metrics.batchSeconds.startTimer();
    try {
      const { contests, ...out } = await recordVoteBatch(deps, batchId, parsed.data.votes);
      if (contests.length) releaser.poke(contests);
      ctx.log.debug({ batchId, ...out }, 'vote batch recorded');
      return out;
    } catch (err) {
      const store = dependencyFailure(err);
      if (store && token) {
        // A store is away: wait for it without spending one of the batch's attempts (an
        // outage longer than the backoff must not dead-letter votes), logged once.
        ctx.outages.report(store, err);
        await job.moveToDelayed(Date.now() + OUTAGE_RETRY_MS, token);
        throw new DelayedError();
      }
      // The last try: keep the votes for an operator instead of losing them with the job.
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        await deadLetter(dl, batchId, 'exhausted', 'retries exhausted', parsed.data.votes);
        await settleVoteBatch(deps.redis, deps.redisPrefix, batchId, parsed.data.votes.length);
        ctx.log.error({ batchId, err: { message: (err as Error).message } }, 'vote batch dead-lettered after its last try');
      }
      throw err;
    } finally {
      end();
    }
  };
}

export async function startRecordVotes(ctx: WorkerContext, opts: RecordVotesOptions = {}): Promise<Running | null> {
  const prefix = ctx.bullPrefix;
  const dead = new Queue(QUEUES.votesDead, { connection: ctx.connection(), prefix });
  dead.on('error', onQueueError(ctx, 'dead-letter queue error'));
  const metrics = recordVotesMetrics(ctx.metrics);
  const sealer = opts.sealer ?? new BallotSealer(ctx.config.BALLOT_KEYS);
  const deps: RecordVotesDeps = { db: ctx.db, redis: ctx.redis, redisPrefix: ctx.config.REDIS_PREFIX, dead, metrics, sealer, candidates: new Map() };
  const releaser = opts.releaser ?? releaserFor(ctx, sealer);

  const worker = new Worker(QUEUES.votes, batchProcessor(ctx, deps, releaser), {
    connection: ctx.connection(),
    prefix,
    concurrency: opts.concurrency ?? ctx.config.VOTE_WORKER_CONCURRENCY,
    // Nothing of who voted may linger in Redis once a batch is done.
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
    ...(opts.lockDuration ? { lockDuration: opts.lockDuration } : {}),
    ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
  });
  worker.on('error', onQueueError(ctx, 'record-votes worker error'));
  worker.on('failed', (job, err) => ctx.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: { message: err.message } }, 'vote batch failed'));
  await worker.waitUntilReady();

  const expire = () =>
    expireDeadLetters(dead, ctx.config.DEAD_LETTER_TTL_SECONDS).then(
      (n) => n > 0 && ctx.log.info({ expired: n }, 'dead letters expired'),
      (err: Error) => ctx.log.warn({ err: { message: err.message } }, 'dead letters not expired'),
    );
  void expire();
  const timer = setInterval(() => void expire(), Math.min(DEAD_LETTER_SWEEP_MS, ctx.config.DEAD_LETTER_TTL_SECONDS * 1000));
  timer.unref();

  return {
    name: 'record-votes',
    async close() {
      clearInterval(timer);
      await worker.close();
      await releaser.idle();
      await dead.close();
    },
  };
}
