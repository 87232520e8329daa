import * as hdr from 'hdr-histogram-js';

/**
 * What a run records, per stream (sign-ins, ballots, viewers) and second: answers by status
 * class, transport errors, latency percentiles and the Retry-After waits the stack asked
 * for. Overall latency goes into a histogram built exactly as autocannon builds its own
 * (1 ms .. 10 s, 5 significant digits), so the report's percentiles are autocannon's.
 */

/** One second of one stream. */
export interface SecondRow {
  /** Seconds since the start of the timed part. */
  t: number;
  /** Answers received in this second (any status). */
  answers: number;
  /** Good answers: 2xx and 304. */
  good: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Answers that carried Retry-After, and the mean and longest wait asked (seconds). */
  retryAfterCount: number;
  retryAfterMean: number;
  retryAfterMax: number;
}

export interface StreamTotals {
  answers: number;
  good: number;
  statuses: Record<string, number>;
  /** Error codes of non-2xx answers (`VOTE_ERR_…`), as the body named them. */
  errorCodes: Record<string, number>;
  transportErrors: number;
  timeouts: number;
  /** 5xx answers other than 503 with Retry-After (the designed overload refusal). */
  serverErrors: number;
  /** 429 and 503 answers that carried Retry-After (load shed as designed). */
  shed: number;
  /** 429/503 answers without a usable Retry-After (a broken overload contract). */
  shedWithoutRetryAfter: number;
  latency: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
}

function latencyHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 10000, numberOfSignificantValueDigits: 5 });
}

function secondHistogram(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 32, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 60000, numberOfSignificantValueDigits: 2 });
}

interface OpenSecond {
  t: number;
  hist: hdr.Histogram;
  row: SecondRow;
  retrySum: number;
}

function emptyRow(t: number): SecondRow {
  return { t, answers: 0, good: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0, errors: 0, p50: 0, p90: 0, p99: 0, max: 0, retryAfterCount: 0, retryAfterMean: 0, retryAfterMax: 0 };
}

export class StreamRecorder {
  readonly rows: SecondRow[] = [];
  private open: OpenSecond | null = null;
  private readonly overall = latencyHistogram();
  readonly totals: Omit<StreamTotals, 'latency'> = { answers: 0, good: 0, statuses: {}, errorCodes: {}, transportErrors: 0, timeouts: 0, serverErrors: 0, shed: 0, shedWithoutRetryAfter: 0 };

  constructor(
    readonly name: string,
    private readonly startedAt: () => number,
  ) {}

  private second(): OpenSecond {
    const t = Math.max(0, Math.floor((Date.now() - this.startedAt()) / 1000));
    if (this.open && this.open.t === t) return this.open;
    if (this.open) this.close(t);
    this.open = { t, hist: secondHistogram(), row: emptyRow(t), retrySum: 0 };
    return this.open;
  }

  /** Closes the open second (and fills empty seconds up to `until`, exclusive). */
  private close(until: number): void {
    const o = this.open;
    if (!o) return;
    const h = o.hist;
    if (o.row.answers > 0) {
      o.row.p50 = h.getValueAtPercentile(50);
      o.row.p90 = h.getValueAtPercentile(90);
      o.row.p99 = h.getValueAtPercentile(99);
      o.row.max = Math.floor(h.maxValue);
    }
    o.row.retryAfterMean = o.row.retryAfterCount ? +(o.retrySum / o.row.retryAfterCount).toFixed(2) : 0;
    h.destroy();
    this.rows.push(o.row);
    for (let t = o.t + 1; t < until; t++) this.rows.push(emptyRow(t));
    this.open = null;
  }

  /** Every answer (autocannon's `response` event). */
  answer(status: number, latencyMs: number): void {
    const s = this.second();
    s.row.answers++;
    this.totals.answers++;
    this.totals.statuses[status] = (this.totals.statuses[status] ?? 0) + 1;
    const cls = Math.floor(status / 100);
    if (cls === 2) s.row.s2xx++;
    else if (cls === 3) s.row.s3xx++;
    else if (cls === 4) s.row.s4xx++;
    else if (cls === 5) s.row.s5xx++;
    if (cls === 2 || status === 304) {
      s.row.good++;
      this.totals.good++;
    }
    s.hist.recordValue(latencyMs);
    this.overall.recordValue(latencyMs);
  }

  /** The answer's headers and body, for refusals (autocannon's per-request onResponse). */
  details(status: number, body: string, headers: Record<string, string | string[] | undefined>): void {
    if (status < 400) return;
    let code = `HTTP_${status}`;
    try {
      code = (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? code;
    } catch {
      // not JSON
    }
    this.totals.errorCodes[code] = (this.totals.errorCodes[code] ?? 0) + 1;
    const raw = headers['retry-after'] ?? headers['Retry-After'];
    const wait = Number(Array.isArray(raw) ? raw[0] : raw);
    const hasWait = raw !== undefined && Number.isFinite(wait) && wait >= 0;
    if (hasWait) {
      const s = this.second();
      s.row.retryAfterCount++;
      s.retrySum += wait;
      s.row.retryAfterMax = Math.max(s.row.retryAfterMax, wait);
    }
    if (status === 429 || status === 503) {
      if (hasWait) this.totals.shed++;
      else this.totals.shedWithoutRetryAfter++;
    }
    if (status >= 500 && !(status === 503 && hasWait)) this.totals.serverErrors++;
  }

  /** A socket error or timeout (autocannon's `reqError`). */
  error(timeout: boolean): void {
    this.second().row.errors++;
    this.totals.transportErrors++;
    if (timeout) this.totals.timeouts++;
  }

  /** Ends the series at `seconds` (the run's length) and returns the totals. */
  finish(seconds: number): StreamTotals {
    this.close(Math.ceil(seconds));
    const h = this.overall;
    const latency = {
      p50: h.getValueAtPercentile(50),
      p90: h.getValueAtPercentile(90),
      p99: h.getValueAtPercentile(99),
      p999: h.getValueAtPercentile(99.9),
      // Whole milliseconds, as autocannon reports its max.
      max: Math.floor(h.maxValue),
      mean: +h.mean.toFixed(2),
    };
    return { ...this.totals, latency };
  }

  /** The overall histogram, for merging streams into one. */
  histogram(): hdr.Histogram {
    return this.overall;
  }
}

/** Percentiles over several streams' answers (the mixed scenario's whole). */
export function mergedLatency(recorders: StreamRecorder[]): StreamTotals['latency'] {
  const all = latencyHistogram();
  for (const r of recorders) all.add(r.histogram());
  const out = { p50: all.getValueAtPercentile(50), p90: all.getValueAtPercentile(90), p99: all.getValueAtPercentile(99), p999: all.getValueAtPercentile(99.9), max: Math.floor(all.maxValue), mean: +all.mean.toFixed(2) };
  all.destroy();
  return out;
}

/** Sums rows of several streams second by second (percentiles: the worst stream's). */
export function sumRows(series: SecondRow[][]): SecondRow[] {
  const n = Math.max(0, ...series.map((s) => s.length));
  const out: SecondRow[] = [];
  for (let t = 0; t < n; t++) {
    const row = emptyRow(t);
    let retrySum = 0;
    for (const s of series) {
      const r = s[t];
      if (!r) continue;
      row.answers += r.answers;
      row.good += r.good;
      row.s2xx += r.s2xx;
      row.s3xx += r.s3xx;
      row.s4xx += r.s4xx;
      row.s5xx += r.s5xx;
      row.errors += r.errors;
      row.p50 = Math.max(row.p50, r.p50);
      row.p90 = Math.max(row.p90, r.p90);
      row.p99 = Math.max(row.p99, r.p99);
      row.max = Math.max(row.max, r.max);
      row.retryAfterCount += r.retryAfterCount;
      retrySum += r.retryAfterMean * r.retryAfterCount;
      row.retryAfterMax = Math.max(row.retryAfterMax, r.retryAfterMax);
    }
    row.retryAfterMean = row.retryAfterCount ? +(retrySum / row.retryAfterCount).toFixed(2) : 0;
    out.push(row);
  }
  return out;
}
