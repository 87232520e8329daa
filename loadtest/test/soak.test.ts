import type { ServiceSample } from '../kit/sampler';
import { judgeSoak } from '../kit/soak';

/** The soak's judgement on series whose shape is known. */
const series = (seconds: number, rss: (t: number) => number, backlog?: (t: number) => number): ServiceSample[] =>
  Array.from({ length: seconds + 1 }, (_, t) => ({ t, rssMb: rss(t), heapMb: null, cpuPct: null, loopP99Ms: 12, ...(backlog ? { votesBacklog: backlog(t) } : {}) }));

describe('soak judgement', () => {
  it('passes memory that levels off after warm-up, with a sawtooth heap', () => {
    const r = judgeSoak({ vote: series(600, (t) => 180 + Math.min(t, 60) + (t % 20), () => 50) }, 600, { drained: true, seconds: 2 });
    expect(r.verdicts.every((v) => v.pass)).toBe(true);
    expect(r.memory[0]!.growthMb).toBeLessThan(20);
  });

  it('fails memory that grows without bound', () => {
    // 0.5 MB a second: 75 MB more in the last quarter than in the second, still rising.
    const r = judgeSoak({ worker: series(600, (t) => 150 + t * 0.5) }, 600, null);
    const v = r.verdicts.find((x) => x.name === 'worker memory levels off')!;
    expect(v.pass).toBe(false);
    expect(r.memory[0]!.slopeMbPerMin).toBeCloseTo(30, 0);
  });

  it('fails a backlog that never drains, or that grows through the run', () => {
    const never = judgeSoak({ vote: series(600, () => 200, () => 300) }, 600, { drained: false, seconds: null });
    expect(never.verdicts.find((x) => x.name === 'votes backlog drains')!.pass).toBe(false);
    const growing = judgeSoak({ vote: series(600, () => 200, (t) => t * 20) }, 600, { drained: true, seconds: 50 });
    expect(growing.verdicts.find((x) => x.name === 'votes backlog not growing')!.pass).toBe(false);
    const fine = judgeSoak({ vote: series(600, () => 200, (t) => 100 + (t % 7)) }, 600, { drained: true, seconds: 1 });
    expect(fine.verdicts.every((x) => x.pass)).toBe(true);
  });
});
