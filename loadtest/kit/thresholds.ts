/**
 * Pass/fail limits given on the command line, so a run can gate a release:
 *   --p99 <ms>             latency p99 over every answer of the run
 *   --max-error-rate <r>   errors / attempts, as a fraction (0.01) or a percentage (1%)
 *   --min-rps <n>          good answers (2xx, 304) per second over the timed part
 * An error is a socket error, a timeout, or a 5xx answer other than the designed
 * overload refusal (503 with Retry-After); a 429/503 without Retry-After also counts,
 * since it breaks the overload contract.
 */
export interface Thresholds {
  p99Ms?: number;
  maxErrorRate?: number;
  minRps?: number;
}

export interface Measured {
  p99Ms: number;
  errorRate: number;
  goodPerSecond: number;
}

export interface Verdict {
  name: string;
  limit: string;
  measured: string;
  pass: boolean;
}

/** Parses `0.01`, `1%` into a fraction; throws on anything else. */
export function parseRate(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a rate (0.01 or 1%)`);
  const v = Number(m[1]) / (m[2] ? 100 : 1);
  if (v > 1) throw new Error(`"${text}" is more than 100 %`);
  return v;
}

/** Parses a positive number of milliseconds or requests per second. */
export function parsePositive(text: string, what: string): number {
  const v = Number(text);
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${what} must be a positive number, not "${text}"`);
  return v;
}

/** Every threshold given, measured and judged; an empty list when none was given. */
export function judge(t: Thresholds, m: Measured): Verdict[] {
  const out: Verdict[] = [];
  if (t.p99Ms !== undefined) out.push({ name: 'p99', limit: `≤ ${t.p99Ms} ms`, measured: `${m.p99Ms} ms`, pass: m.p99Ms <= t.p99Ms });
  if (t.maxErrorRate !== undefined) {
    out.push({ name: 'error rate', limit: `≤ ${(t.maxErrorRate * 100).toFixed(2)} %`, measured: `${(m.errorRate * 100).toFixed(2)} %`, pass: m.errorRate <= t.maxErrorRate });
  }
  if (t.minRps !== undefined) out.push({ name: 'throughput', limit: `≥ ${t.minRps} good answers/s`, measured: `${m.goodPerSecond.toFixed(1)}/s`, pass: m.goodPerSecond >= t.minRps });
  return out;
}
