import { randomInt } from 'node:crypto';
import { DelayedError, type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { Counter, Histogram, type Registry } from 'prom-client';
import {
  type Database,
  candidateIdsByContest,
  existingMemberIds,
  insertBallots,
  forgetRecordedVotes,
  insertOnlineParticipation,
  insertReceipts,
  knownReceiptHashes,
  noteRecordedVotes,
  recordedVotesOf,
} from '@primaries/db';
import { type DeadVotes, QUEUES, type QueuedVote, jobId, queuedVoteSchema, voteBatchSchema } from '@primaries/queue';
import { settleReceipts, settleVoteBatch } from '@primaries/redis-protocols';
import { dependencyFailure } from '@primaries/service-kit';
import { type Running, type WorkerContext, onQueueError } from '../context';

/**
 * Records batches of votes from the `votes` queue: ONE transaction per batch inserts the
 * participation rows (who took part) with ON CONFLICT DO NOTHING, and only for the pairs
 * that were new, the anonymous ballots (what was marked) in a cryptographically shuffled
 * order. A retried batch ends in the same state as one that ran once. Votes that can never
 * be recorded go to the dead-letter queue; the others in their batch are still recorded.
 */

export interface RecordVotesOptions {
  /** BullMQ lock duration (ms): how soon a crashed worker's batch is retried by another. */
  lockDuration?: number;
  stalledInterval?: number;
  concurrency?: number;
}

export interface RecordVotesDeps {
  db: Kysely<Database>;
  /** Plain-command Redis client (receipt markers, backlog counter). */
  redis: Redis;
  redisPrefix: string;
  dead: Queue;
  metrics: RecordVotesMetrics;
  /** contest id → candidate ids; filled on demand, refreshed on a miss. */
  candidates: Map<number, Set<number>>;
}

export interface BatchOutcome {
  recorded: number;
  /** Votes whose member had already taken part in that contest (retry, paper, double submit). */
  duplicates: number;
  dead: number;
}

function metric<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export interface RecordVotesMetrics {
  recorded: Counter;
  duplicates: Counter;
  dead: Counter<'reason'>;
  batchSeconds: Histogram;
}

export function recordVotesMetrics(registry: Registry): RecordVotesMetrics {
  return {
    recorded: metric(registry, 'votes_recorded_total', () => new Counter({ name: 'votes_recorded_total', help: 'Ballots recorded in Postgres', registers: [registry] })),
    duplicates: metric(registry, 'votes_duplicate_total', () => new Counter({ name: 'votes_duplicate_total', help: 'Queued votes skipped because the member had already taken part in the contest', registers: [registry] })),
    dead: metric(registry, 'votes_dead_lettered_total', () => new Counter({ name: 'votes_dead_lettered_total', help: 'Votes copied to the dead-letter queue, by reason', labelNames: ['reason'] as const, registers: [registry] })),
    batchSeconds: metric(registry, 'vote_batch_duration_seconds', () => new Histogram({ name: 'vote_batch_duration_seconds', help: 'Time to record one batch of votes', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] })),
  };
}

/** Fisher–Yates with crypto randomness: row order must not follow arrival order. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

// Takes the batch off the backlog counter once, however often the batch is retried.
async function settleBacklog(deps: RecordVotesDeps, batchId: string, count: number): Promise<void> {
  await settleVoteBatch(deps.redis, deps.redisPrefix, batchId, count);
}

async function deadLetter(deps: RecordVotesDeps, batchId: string, part: string, reason: string, votes: unknown[]): Promise<void> {
  if (votes.length === 0) return;
  const payload: DeadVotes = { batchId, reason, votes };
  // The job id makes a retried batch dead-letter the same votes only once.
  await deps.dead.add('dead-votes', payload, { jobId: jobId('dead', batchId, part) });
  deps.metrics.dead.inc({ reason }, votes.length);
}

/** A vote that can be recorded, and where it sits in the job's list. */
interface GoodVote {
  vote: QueuedVote;
  index: number;
}

/** Splits a batch into votes that can be recorded and votes that never can. */
async function sortOut(deps: RecordVotesDeps, raw: unknown[]): Promise<{ good: GoodVote[]; bad: Array<{ vote: unknown; reason: string }> }> {
  const bad: Array<{ vote: unknown; reason: string }> = [];
  const parsed: GoodVote[] = [];
  raw.forEach((v, index) => {
    const r = queuedVoteSchema.safeParse(v);
    if (r.success) parsed.push({ vote: r.data, index });
    else bad.push({ vote: v, reason: 'malformed vote' });
  });
  const contestIds = [...new Set(parsed.map((g) => g.vote.contestId))];
  const missing = contestIds.filter((id) => !deps.candidates.has(id));
  const refresh = async (ids: number[]) => {
    const loaded = await candidateIdsByContest(deps.db, ids);
    for (const [id, set] of loaded) if (set.size > 0) deps.candidates.set(id, set);
  };
  if (missing.length) await refresh(missing);
  // A mark not in the cached list: reload those contests once (a candidate added late).
  const stale = contestIds.filter((id) => {
    const set = deps.candidates.get(id);
    return set && parsed.some(({ vote: v }) => v.contestId === id && v.marks.some((m) => !set.has(m)));
  });
  if (stale.length) await refresh(stale);
  const members = await existingMemberIds(deps.db, [...new Set(parsed.map((g) => g.vote.memberId))]);
  const good: GoodVote[] = [];
  for (const g of parsed) {
    const v = g.vote;
    const cands = deps.candidates.get(v.contestId);
    if (!cands) bad.push({ vote: v, reason: 'unknown contest' });
    else if (!members.has(v.memberId)) bad.push({ vote: v, reason: 'unknown member' });
    else if (v.marks.some((m) => !cands.has(m))) bad.push({ vote: v, reason: 'unknown candidate' });
    else if (new Set(v.marks).size !== v.marks.length) bad.push({ vote: v, reason: 'duplicate mark' });
    else good.push(g);
  }
  return { good, bad };
}

/**
 * The batch's transaction: participation rows (ON CONFLICT DO NOTHING), the ballots of the
 * pairs that were new, in a shuffled order, and a note of which votes (by index) it
 * recorded. Returns those indexes. No receipt is written here.
 */
async function recordBatchVotes(deps: Pick<RecordVotesDeps, 'db'>, batchId: string, good: readonly GoodVote[]): Promise<number[]> {
  // Sorted by key so concurrent batches take row locks in the same order (no deadlocks);
  // the same (member, contest) twice in one batch keeps the first.
  const seen = new Set<string>();
  const unique = good
    .slice()
    .sort(({ vote: a }, { vote: b }) => (a.memberId === b.memberId ? a.contestId - b.contestId : a.memberId.length - b.memberId.length || (a.memberId < b.memberId ? -1 : 1)))
    .filter(({ vote: v }) => {
      const k = `${v.memberId}:${v.contestId}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  return deps.db.transaction().execute(async (trx) => {
    const inserted = await insertOnlineParticipation(
      trx,
      unique.map((g) => g.vote.memberId),
      unique.map((g) => g.vote.contestId),
    );
    const mine = unique.filter(({ vote: v }) => inserted.has(`${v.memberId}:${v.contestId}`));
    await insertBallots(trx, shuffle(mine.map(({ vote: v }) => ({ contestId: v.contestId, marks: v.marks }))));
    const indexes = mine.map((g) => g.index).sort((a, b) => a - b);
    await noteRecordedVotes(trx, batchId, indexes);
    return indexes;
  });
}

/**
 * Records one batch: safe to run again on the same input (a retry after a crash before or
 * after commit ends in the same state). Exported for tests and replays of dead letters.
 */
export async function recordVoteBatch(deps: RecordVotesDeps, batchId: string, raw: unknown[]): Promise<BatchOutcome> {
  const { good, bad } = await sortOut(deps, raw);
  const byReason = new Map<string, unknown[]>();
  for (const b of bad) byReason.set(b.reason, [...(byReason.get(b.reason) ?? []), b.vote]);
  for (const [reason, votes] of byReason) await deadLetter(deps, batchId, reason.replace(/\s+/g, '_'), reason, votes);

  // A retry after the batch's transaction committed reads what it recorded back.
  const earlier = await recordedVotesOf(deps.db, batchId);
  const recorded = new Set(earlier ?? (await recordBatchVotes(deps, batchId, good)));

  // The receipts of the recorded votes, in a transaction of their own (never the ballots').
  await deps.db.transaction().execute(async (trx) => {
    await insertReceipts(trx, good.filter((g) => recorded.has(g.index)).map(({ vote: v }) => ({ hash: v.receiptHash, contestId: v.contestId })), 'released');
    await forgetRecordedVotes(trx, batchId);
  });

  // Redis markers: a recorded receipt loses its queued marker; one never recorded was refused.
  const receipts = [...new Set(raw.map((v) => (v as { receiptHash?: unknown })?.receiptHash).filter((h): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)))];
  const known = await knownReceiptHashes(deps.db, receipts);
  await settleReceipts(deps.redis, deps.redisPrefix, receipts.filter((h) => known.has(h)), receipts.filter((h) => !known.has(h)));
  await settleBacklog(deps, batchId, raw.length);

  // A retry after the commit reports what the crashed try recorded but never counted.
  deps.metrics.recorded.inc(recorded.size);
  deps.metrics.duplicates.inc(good.length - recorded.size);
  return { recorded: recorded.size, duplicates: good.length - recorded.size, dead: bad.length };
}

/** How soon a batch that met a store outage is tried again (attempts are not spent). */
const OUTAGE_RETRY_MS = 2000;

export async function startRecordVotes(ctx: WorkerContext, opts: RecordVotesOptions = {}): Promise<Running | null> {
  const prefix = ctx.bullPrefix;
  const redisPrefix = ctx.config.REDIS_PREFIX;
  const dead = new Queue(QUEUES.votesDead, { connection: ctx.connection(), prefix });
  dead.on('error', onQueueError(ctx, 'dead-letter queue error'));
  const metrics = recordVotesMetrics(ctx.metrics);
  const deps: RecordVotesDeps = { db: ctx.db, redis: ctx.redis, redisPrefix, dead, metrics, candidates: new Map() };

  const processor = async (job: Job, token?: string) => {
    const parsed = voteBatchSchema.safeParse(job.data);
    const batchId = parsed.success ? parsed.data.batchId : String(job.id);
    if (!parsed.success) {
      await deadLetter(deps, batchId, 'batch', 'malformed batch', [job.data]);
      const n = Array.isArray((job.data as { votes?: unknown })?.votes) ? (job.data as { votes: unknown[] }).votes.length : 0;
      if (n) await settleBacklog(deps, batchId, n);
      throw new UnrecoverableError('malformed vote batch');
    }
    const end = metrics.batchSeconds.startTimer();
    try {
      const out = await recordVoteBatch(deps, batchId, parsed.data.votes);
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
        await deadLetter(deps, batchId, 'exhausted', 'retries exhausted', parsed.data.votes);
        await settleBacklog(deps, batchId, parsed.data.votes.length);
        ctx.log.error({ batchId, err: { message: (err as Error).message } }, 'vote batch dead-lettered after its last try');
      }
      throw err;
    } finally {
      end();
    }
  };

  const worker = new Worker(QUEUES.votes, processor, {
    connection: ctx.connection(),
    prefix,
    concurrency: opts.concurrency ?? ctx.config.VOTE_WORKER_CONCURRENCY,
    // Nothing of who voted what may linger in Redis once a batch is done.
    removeOnComplete: { count: 0 },
    removeOnFail: { count: 0 },
    ...(opts.lockDuration ? { lockDuration: opts.lockDuration } : {}),
    ...(opts.stalledInterval ? { stalledInterval: opts.stalledInterval } : {}),
  });
  worker.on('error', onQueueError(ctx, 'record-votes worker error'));
  worker.on('failed', (job, err) => ctx.log.warn({ jobId: job?.id, attempts: job?.attemptsMade, err: { message: err.message } }, 'vote batch failed'));
  await worker.waitUntilReady();

  return {
    name: 'record-votes',
    async close() {
      await worker.close();
      await dead.close();
    },
  };
}
