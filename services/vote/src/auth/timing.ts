import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Keeps refusals from answering faster than acceptances. Without it, "403 in 1 ms" vs
 * "202 in 4 ms" would tell a prober which IIN+phone pairs are real even though the bodies
 * match. Refusals wait until a jittered moving average of the accepted path's time.
 */
export class TimingFloor {
  private avgMs: number;
  private samples = 0;

  constructor(
    initialMs = 5,
    private readonly maxMs = 250,
  ) {
    this.avgMs = initialMs;
  }

  /** Feeds the time an accepted request took. */
  observe(startedAt: number): void {
    const took = Math.min(performance.now() - startedAt, this.maxMs);
    // A plain mean for the first samples (a quick start), then an exponential average.
    const alpha = Math.max(0.05, 1 / ++this.samples);
    this.avgMs = this.avgMs * (1 - alpha) + took * alpha;
  }

  /** Waits until a refusal started at `startedAt` looks like an acceptance. */
  async pad(startedAt: number): Promise<void> {
    const target = this.avgMs * (0.8 + Math.random() * 0.4);
    const left = Math.min(this.maxMs, target - (performance.now() - startedAt));
    if (left > 0.5) await sleep(left);
  }
}
