import { readFile } from 'node:fs/promises';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { request } from './http';
import type { WatchedService } from './stack';

/**
 * Once a second during a run: each service's own metrics (/metrics: resident memory,
 * heap, event-loop delay p99, CPU seconds, the votes backlog, the snapshot age) and, for a
 * process on this machine, its CPU and memory from /proc. A service that cannot be read
 * leaves gaps, not zeros.
 */

export interface ServiceSample {
  t: number;
  /** Resident memory, MB (from /proc when local, else process_resident_memory_bytes). */
  rssMb: number | null;
  heapMb: number | null;
  /** CPU use over the last interval, % of one core. */
  cpuPct: number | null;
  /** Event-loop delay p99 (prom-client's monitor), ms. */
  loopP99Ms: number | null;
  /** votes_backlog (vote service), results_snapshot_age_seconds (results service), sms_queue_backlog. */
  votesBacklog?: number | null;
  snapshotAgeSeconds?: number | null;
  smsBacklog?: number | null;
}

export interface SamplerOptions {
  /** OPS_TOKEN: sent as `authorization: Bearer …` (the gateway serves /metrics only to its bearer). */
  opsToken?: string;
  insecure?: boolean;
  intervalMs?: number;
}

interface PromMetric {
  name: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

function pick(families: PromMetric[], name: string): number | null {
  const f = families.find((m) => m.name === name);
  const v = f?.metrics[0]?.value;
  return v === undefined ? null : Number(v);
}

/** Reads one service's /metrics into the figures the report charts (null when unreachable). */
export async function readMetrics(s: WatchedService, opts: SamplerOptions = {}): Promise<Record<string, number | null> | null> {
  const headers: Record<string, string> = {};
  if (s.metricsHost) headers.host = s.metricsHost;
  if (opts.opsToken) headers.authorization = `Bearer ${opts.opsToken}`;
  try {
    const a = await request(s.metricsUrl, { headers, insecure: opts.insecure ?? false, timeoutMs: 5000 });
    if (a.status !== 200) return null;
    const families = parsePrometheusTextFormat(a.body) as PromMetric[];
    return {
      rss: pick(families, 'process_resident_memory_bytes'),
      heap: pick(families, 'nodejs_heap_size_used_bytes'),
      cpu: pick(families, 'process_cpu_seconds_total'),
      loopP99: pick(families, 'nodejs_eventloop_lag_p99_seconds'),
      votesBacklog: pick(families, 'votes_backlog'),
      snapshotAge: pick(families, 'results_snapshot_age_seconds'),
      smsBacklog: pick(families, 'sms_queue_backlog'),
    };
  } catch {
    return null;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** utime+stime (seconds) and resident memory (MB) of a local process, from /proc. */
export async function procStat(pid: number): Promise<{ cpuSeconds: number; rssMb: number } | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const rssPages = Number(rest[21]);
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssMb: +((rssPages * 4096) / 1048576).toFixed(1) };
  } catch {
    return null;
  }
}

export class Sampler {
  readonly series = new Map<string, ServiceSample[]>();
  private timer: NodeJS.Timeout | null = null;
  private last = new Map<string, { at: number; cpu: number }>();
  private busy = false;
  private startedAt = 0;

  constructor(
    private readonly services: WatchedService[],
    private readonly opts: SamplerOptions = {},
  ) {
    for (const s of services) this.series.set(s.label ?? s.name, []);
  }

  start(startedAt = Date.now()): void {
    this.startedAt = startedAt;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.opts.intervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
  }

  /** One sample of every service (also called at the end, so the series closes on the final state). */
  async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = Date.now();
      const t = +((now - this.startedAt) / 1000).toFixed(1);
      await Promise.all(
        this.services.map(async (s) => {
          const [m, p] = await Promise.all([readMetrics(s, this.opts), s.pid ? procStat(s.pid) : Promise.resolve(null)]);
          const cpuSeconds = p?.cpuSeconds ?? m?.cpu ?? null;
          let cpuPct: number | null = null;
          if (cpuSeconds !== null) {
            const prev = this.last.get(s.label ?? s.name);
            if (prev && now > prev.at) cpuPct = +(((cpuSeconds - prev.cpu) / ((now - prev.at) / 1000)) * 100).toFixed(1);
            this.last.set(s.label ?? s.name, { at: now, cpu: cpuSeconds });
          }
          const mb = (b: number | null | undefined) => (b === null || b === undefined ? null : +(b / 1048576).toFixed(1));
          const row: ServiceSample = {
            t,
            rssMb: p?.rssMb ?? mb(m?.rss),
            heapMb: mb(m?.heap),
            cpuPct,
            loopP99Ms: m?.loopP99 === null || m?.loopP99 === undefined ? null : +(m.loopP99 * 1000).toFixed(2),
          };
          if (s.name === 'vote') {
            row.votesBacklog = m?.votesBacklog ?? null;
            row.smsBacklog = m?.smsBacklog ?? null;
          }
          if (s.name === 'results') row.snapshotAgeSeconds = m?.snapshotAge ?? null;
          this.series.get(s.label ?? s.name)!.push(row);
        }),
      );
    } finally {
      this.busy = false;
    }
  }
}
