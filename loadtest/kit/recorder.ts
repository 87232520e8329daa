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

  /** `parent` receives every answer too: the whole run's series (true percentiles over all streams). */
  constructor(
    readonly name: string,
    private readonly startedAt: () => number,
    private readonly parent?: StreamRecorder,
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
    this.parent?.answer(status, latencyMs);
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
    this.parent?.details(status, body, headers);
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
    this.parent?.error(timeout);
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
}
