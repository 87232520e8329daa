import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@primaries/logger';
import { BallotSealer, type Sealer } from '@primaries/sealing';
import type { WorkerContext } from '../context';
import { type ReleaseDeps, type ReleaseSummary, releaseReady } from './release';
import { sweepReceipts } from './sweep';

/**
 * Runs the release step one run at a time in this process: `poke()` after every recorded
 * batch (a contest may have reached K: released at once), `releaseNow()` before every
 * tally (with the contests whose voting is over, released whatever their size, and the
 * receipts' sweep). Several worker processes are safe: each group's transaction holds a
 * per-contest advisory lock.
 */
export class Releaser {
  private tail: Promise<unknown> = Promise.resolve();
  private poked = false;
  private readonly released: Counter;
  private readonly failures: Counter;

  constructor(
    private readonly deps: ReleaseDeps & { min: number; reserve?: number; log: Logger },
    registry?: Registry,
  ) {
    const metric = (name: string, help: string) =>
      (registry?.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, registers: registry ? [registry] : [] });
    this.released = metric('ballots_released_total', 'Contest ballots opened and released into the count, in groups of at least BALLOT_RELEASE_MIN');
    this.failures = metric('ballot_release_failures_total', 'Release runs that left a contest sealed (a sealed ballot could not be opened)');
  }

  /** Runs `fn` after every run before it, whatever became of them. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => {});
    return next;
  }

  private async release(final?: ReadonlySet<number>): Promise<ReleaseSummary> {
    const { min, reserve } = this.deps;
    const summary = await releaseReady(this.deps, { min, ...(reserve !== undefined ? { reserve } : {}), ...(final ? { final } : {}) });
    this.released.inc(summary.released);
    if (summary.failed.length) {
      this.failures.inc(summary.failed.length);
      this.deps.log.error({ contests: summary.failed }, 'sealed ballots that no configured key opens: those contests stay sealed');
    }
    if (summary.groups) this.deps.log.info({ released: summary.released, groups: summary.groups }, 'ballots released');
    return summary;
  }

  /** A batch was recorded: release whatever groups are ready, soon, once for many pokes. */
  poke(): void {
    if (this.poked) return;
    this.poked = true;
    this.serial(() => {
      this.poked = false;
      return this.release();
    }).catch((err: Error) => this.deps.log.warn({ err: { message: err.message } }, 'release failed; the next batch or tally tries again'));
  }

  /** Before a tally: release the ready groups and everything of `final` contests, then sweep the receipts. */
  async releaseNow(final: ReadonlySet<number>): Promise<ReleaseSummary> {
    const summary = await this.serial(() => this.release(final));
    // The sweep only corrects receipts' statuses: if it fails, the tally goes on and the next one sweeps.
    const swept = await this.serial(() => sweepReceipts(this.deps)).catch((err: Error) => {
      this.deps.log.warn({ err: { message: err.message } }, 'receipts sweep failed; the next tally sweeps again');
      return 0;
    });
    if (swept > 0) this.deps.log.info({ receipts: swept }, 'receipts found released by the sweep');
    return summary;
  }

  /** Waits for the runs in flight (graceful close). */
  async idle(): Promise<void> {
    await this.tail.catch(() => {});
  }
}

/** The release step as the worker's configuration sets it up (BALLOT_KEYS, BALLOT_RELEASE_MIN). */
export function releaserFor(ctx: WorkerContext, sealer: Sealer = new BallotSealer(ctx.config.BALLOT_KEYS)): Releaser {
  return new Releaser({ db: ctx.db, sealer, min: ctx.config.BALLOT_RELEASE_MIN, reserve: ctx.config.BALLOT_RELEASE_RESERVE, log: ctx.log }, ctx.metrics);
}
