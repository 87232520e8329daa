import { Counter } from 'prom-client';
import { claimSweepIntervalMs, sweepStaleClaims } from '@primaries/redis-protocols';
import type { Running, WorkerContext } from '../context';
import { oldestUnfinishedBatchAt } from '../voting/oldest-batch';

/**
 * How long after a claim its batch may have been added (a batcher tick, event-loop lag) plus
 * clock skew between Redis and a vote service: a claim made less than this before a batch
 * still in the queue may be in that batch, and is not released before the batch is done.
 */
const CLAIM_QUEUE_SLACK_MS = 10_000;

/**
 * One sweep. A vote service killed after queueing a batch but before confirming its claims
 * leaves claims whose batch IS queued: released while it waits (the worker behind by more
 * than the timeout: Postgres away, a long backlog), the voter could vote again and have the
 * second ballot refused. So claims are released only once every batch that could hold them
 * is done, and then only if their receipts are still unsettled (the release script).
 */
async function sweepOnce(ctx: WorkerContext, timeoutMs: number): Promise<number> {
  const oldest = await oldestUnfinishedBatchAt(ctx.redis, ctx.bullPrefix);
  return sweepStaleClaims(ctx.redis, ctx.config.REDIS_PREFIX, timeoutMs, oldest === null ? Infinity : oldest - CLAIM_QUEUE_SLACK_MS);
}

/**
 * Releases vote claims never confirmed within VOTE_CLAIM_TIMEOUT_SECONDS (issue #8): a vote
 * service killed between claiming a voter's contests and queueing the batch left them
 * claimed, and the voter, answered 503 by the gateway, would otherwise be refused as "voted"
 * on retrying. Every worker sweeps on its own timer; each release is one atomic script that
 * acts only on a claim still pending, so competing workers release a claim once.
 */
export function startSweepClaims(ctx: WorkerContext): Running {
  const timeoutMs = ctx.config.VOTE_CLAIM_TIMEOUT_SECONDS * 1000;
  const released = new Counter({ name: 'vote_claims_released_total', help: 'Contest claims released because their batch never reached the queue', registers: [ctx.metrics] });
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= sweepOnce(ctx, timeoutMs)
      .then(
        (n) => {
          if (n === 0) return;
          released.inc(n);
          ctx.log.info({ contests: n }, 'unconfirmed vote claims released');
        },
        (err: unknown) => ctx.outages.reportOrLog(err, ctx.log, 'vote claims not swept'),
      )
      .finally(() => (running = null));
  };
  const timer = setInterval(sweep, claimSweepIntervalMs(ctx.config.VOTE_CLAIM_TIMEOUT_SECONDS));
  timer.unref();
  return {
    name: 'sweep-claims',
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}
