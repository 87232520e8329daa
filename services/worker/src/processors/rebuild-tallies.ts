import { Queue, Worker } from 'bullmq';
import { Gauge, Histogram } from 'prom-client';
import { QUEUES, TALLY_SCHEDULER_ID, type TallyJob, type TallyJobResult, tallyJobSchema } from '@primaries/queue';
import { dependencyFailure } from '@primaries/service-kit';
import { type Running, type WorkerContext, onQueueError } from '../context';
import { type Releaser, releaserFor } from '../release/releaser';
import { findElection, rebuildResults } from '../tally/rebuild';

const DEFAULT_REFRESH_SECONDS = 1800;

/**
 * Rebuilds the results snapshot on QUEUES.tallies: a BullMQ job scheduler every refresh
 * interval (RESULTS_REFRESH_SECONDS, else the election's results_refresh_seconds), and
 * on-demand jobs from `primaries results rebuild`. One rebuild at a time, across every worker
 * process and `primaries results rebuild --direct` (rebuildResults holds an advisory lock); each
 * first runs the release step (groups of K; everything once the election is closed).
 */
export async function startRebuildTallies(ctx: WorkerContext, releaser: Releaser = releaserFor(ctx)): Promise<Running | null> {
  const { config, db, log } = ctx;
  const duration = new Histogram({
    name: 'tally_rebuild_duration_seconds',
    help: 'Time to rebuild and publish the results snapshot',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [ctx.metrics],
  });
  const versionGauge = new Gauge({ name: 'results_snapshot_version', help: 'Version of the last published results snapshot', registers: [ctx.metrics] });

  const queue = new Queue<TallyJob, TallyJobResult>(QUEUES.tallies, { connection: ctx.connection(), prefix: ctx.bullPrefix });
  queue.on('error', onQueueError(ctx, 'tallies queue error'));
  let everySeconds = 0;
  const schedule = async (seconds: number) => {
    if (seconds === everySeconds) return;
    await queue.upsertJobScheduler(
      TALLY_SCHEDULER_ID,
      { every: seconds * 1000 },
      { name: 'rebuild', data: { reason: 'schedule' }, opts: { removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } } },
    );
    everySeconds = seconds;
    log.info({ everySeconds: seconds }, 'results rebuild scheduled');
  };
  const electionInterval = async () => {
    try {
      return (await findElection(db))?.results_refresh_seconds ?? DEFAULT_REFRESH_SECONDS;
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, 'could not read the refresh interval; using the default');
      return DEFAULT_REFRESH_SECONDS;
    }
  };
  await schedule(config.RESULTS_REFRESH_SECONDS ?? (await electionInterval()));

  const worker = new Worker<TallyJob, TallyJobResult>(
    QUEUES.tallies,
    async (job) => {
      const data = tallyJobSchema.parse(job.data);
      const stop = duration.startTimer();
      const result = await rebuildResults(db, ctx.redis, config.REDIS_PREFIX, {
        releaser,
        signer: config.RESULTS_SIGNING_KEY,
        ...(data.electionId !== undefined ? { electionId: data.electionId } : {}),
        ...(config.RESULTS_REFRESH_SECONDS !== undefined ? { refreshSeconds: config.RESULTS_REFRESH_SECONDS } : {}),
      });
      stop();
      const { snapshot, ...summary } = result;
      if (snapshot) {
        versionGauge.set(snapshot.version);
        // The organizers may change the election's interval while it runs.
        if (config.RESULTS_REFRESH_SECONDS === undefined) await schedule(snapshot.refreshSeconds);
      }
      log.info({ reason: data.reason, ...summary }, snapshot ? 'results snapshot published' : 'no election to tally');
      return summary;
    },
    { connection: ctx.connection(), prefix: ctx.bullPrefix, concurrency: 1 },
  );
  // A store away is logged once for the whole outage (ctx.outages); other failures each time.
  worker.on('failed', (job, err) => {
    if (dependencyFailure(err)) ctx.outages.reportOrLog(err, log, 'results rebuild failed');
    else log.error({ jobId: job?.id, err: { message: err.message } }, 'results rebuild failed');
  });
  worker.on('error', onQueueError(ctx, 'tallies worker error'));

  return {
    name: 'rebuild-tallies',
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
