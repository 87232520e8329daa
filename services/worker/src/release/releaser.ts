import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@primaries/logger';
import { BallotSealer, type Sealer } from '@primaries/sealing';
import type { WorkerContext } from '../context';
import { type ReleaseDeps, type ReleaseSummary, releaseReady } from './release';
import { sweepReceipts } from './sweep';

/**
 * Runs the release step one run at a time in this process: `poke()` after every recorded
 * batch (a contest it touched may have a group ready: released within POKE_COALESCE_MS,
 * counting only the contests named since the last run), `releaseNow()` before every
 * tally (with the contests whose voting is over, released whatever their size, and the
 * receipts' sweep). Several worker processes are safe: each group's transaction holds a
 * per-contest advisory lock.
 */
/** Pokes within this long are served by one run (it counts only the contests they name). */
const POKE_COALESCE_MS = 200;

export class Releaser {
  private tail: Promise<unknown> = Promise.resolve();
  /** Contests named by pokes since the last run started; null when no run is scheduled. */
  private poked: Set<number> | null = null;
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

  private async release(final?: ReadonlySet<number>, contests?: readonly number[]): Promise<ReleaseSummary> {
    const { min, reserve } = this.deps;
    const summary = await releaseReady(this.deps, { min, ...(reserve !== undefined ? { reserve } : {}), ...(final ? { final } : {}) }, contests);
    this.released.inc(summary.released);
    if (summary.failed.length) {
      this.failures.inc(summary.failed.length);
      this.deps.log.error({ contests: summary.failed }, 'sealed ballots that no configured key opens: those contests stay sealed');
    }
    if (summary.groups) this.deps.log.debug({ released: summary.released, groups: summary.groups }, 'ballots released');
    return summary;
  }

  /** A batch recorded ballots of these contests: release whatever groups they now have ready, soon, once for many pokes. */
  poke(contests: readonly number[]): void {
    if (this.poked) {
      for (const c of contests) this.poked.add(c);
      return;
    }
    const named = (this.poked = new Set(contests));
    this.serial(async () => {
      await new Promise((r) => setTimeout(r, POKE_COALESCE_MS));
      this.poked = null;
      return this.release(undefined, [...named]);
    }).catch((err: Error) => this.deps.log.warn({ err: { message: err.message } }, 'release failed; the next batch or tally tries again'));
  }

  /** Before a tally: release the ready groups and everything of `final` contests, then sweep the receipts. */
  async releaseNow(final: ReadonlySet<number>): Promise<ReleaseSummary> {
    const summary = await this.serial(() => this.release(final));
    if (summary.groups) this.deps.log.info({ released: summary.released, groups: summary.groups }, 'ballots released before the tally');
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
