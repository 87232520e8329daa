import { Counter } from 'prom-client';
import { claimSweepIntervalMs, sweepStaleClaims } from '@primaries/redis-protocols';
import type { Running, WorkerContext } from '../context';

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
    running ??= sweepStaleClaims(ctx.redis, ctx.config.REDIS_PREFIX, timeoutMs)
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
