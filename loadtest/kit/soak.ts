import type { ServiceSample } from './sampler';
import type { Verdict } from './thresholds';

/**
 * The soak's judgement: under a steady load for a long time, memory must level off and the
 * votes backlog must drain. Memory "grows without bound" when the median resident memory of
 * the run's last quarter is above its second quarter's by more than the allowed growth
 * (default: 64 MB or 25 %, whichever is larger — warm-up and a sawtooth heap stay under it)
 * and it is still rising over the last half (a positive least-squares slope). The backlog
 * "never drains" when, after the load stops, it does not reach zero within the drain timeout,
 * or when it rose through the whole second half of the run (last quarter's median more than
 * twice the second quarter's, and above 1,000).
 */
interface SoakMemory {
  service: string;
  secondQuarterMb: number;
  lastQuarterMb: number;
  growthMb: number;
  /** Least-squares slope of resident memory over the run's second half, MB per minute. */
  slopeMbPerMin: number;
  /** Highest event-loop delay p99 seen, ms. */
  worstLoopP99Ms: number | null;
}

export interface SoakResult {
  memory: SoakMemory[];
  backlog: { secondQuarter: number; lastQuarter: number; drained: boolean; drainSeconds: number | null } | null;
  verdicts: Verdict[];
}

export interface SoakLimits {
  /** Allowed growth between the second and last quarter, MB (the larger of this and 25 % counts). */
  maxGrowthMb?: number;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Values of `key` in [from, to) of the load period, as [t, value] pairs. */
function window(rows: ServiceSample[], key: keyof ServiceSample, from: number, to: number): Array<[number, number]> {
  return rows.filter((r) => r.t >= from && r.t < to && typeof r[key] === 'number').map((r) => [r.t, r[key] as number]);
}

/**
 * Judges a soak from the sampled series. `loadSeconds` is the timed part (samples after it
 * belong to the drain); `drainSeconds` is how long the backlog took to reach zero after
 * the load (null when it did not within the timeout, or when it was not measured).
 */
export function judgeSoak(services: Record<string, ServiceSample[]>, loadSeconds: number, drain: { drained: boolean; seconds: number | null } | null, limits: SoakLimits = {}): SoakResult {
  const q = loadSeconds / 4;
  const memory: SoakMemory[] = [];
  const verdicts: Verdict[] = [];
  for (const [service, rows] of Object.entries(services)) {
    const second = window(rows, 'rssMb', q, 2 * q);
    const last = window(rows, 'rssMb', 3 * q, loadSeconds + 0.001);
    const half = window(rows, 'rssMb', 2 * q, loadSeconds + 0.001);
    if (second.length === 0 || last.length === 0) continue;
    const a = median(second.map(([, v]) => v));
    const b = median(last.map(([, v]) => v));
    const perMin = +(slope(half) * 60).toFixed(2);
    const loops = rows.map((r) => r.loopP99Ms).filter((v): v is number => typeof v === 'number');
    const m: SoakMemory = { service, secondQuarterMb: +a.toFixed(1), lastQuarterMb: +b.toFixed(1), growthMb: +(b - a).toFixed(1), slopeMbPerMin: perMin, worstLoopP99Ms: loops.length ? Math.max(...loops) : null };
    memory.push(m);
    const allowed = Math.max(limits.maxGrowthMb ?? 64, a * 0.25);
    const unbounded = m.growthMb > allowed && perMin > 0;
    verdicts.push({ name: `${service} memory levels off`, limit: `growth ≤ ${allowed.toFixed(0)} MB or not rising`, measured: `${m.growthMb} MB (${perMin} MB/min at the end)`, pass: !unbounded });
  }
  let backlog: SoakResult['backlog'] = null;
  const vote = services['vote'] ?? [];
  const second = window(vote, 'votesBacklog', q, 2 * q);
  const last = window(vote, 'votesBacklog', 3 * q, loadSeconds + 0.001);
  if (drain && (second.length || last.length)) {
    const a = median(second.map(([, v]) => v));
    const b = median(last.map(([, v]) => v));
    backlog = { secondQuarter: a, lastQuarter: b, drained: drain.drained, drainSeconds: drain.seconds };
    const rising = b > 2 * a && b > 1000;
    verdicts.push({ name: 'votes backlog not growing', limit: 'last quarter ≤ 2× second quarter (or ≤ 1,000)', measured: `${a} → ${b}`, pass: !rising });
    verdicts.push({ name: 'votes backlog drains', limit: 'reaches 0 after the load', measured: drain.drained ? `${drain.seconds} s` : 'never (timeout)', pass: drain.drained });
  }
  return { memory, backlog, verdicts };
}
