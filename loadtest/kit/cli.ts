/**
 * `pnpm loadtest <scenario> [options]`: the operators' load test (docs/loadtest.md).
 *   scenarios: login-storm | voting | results-viewers | opening-hour
 *   `pnpm loadtest compare <before.json> <after.json>`: a comparison page of two runs.
 * Without --url it starts the whole stack on free ports with a database and Redis prefix
 * of its own, and drops them afterwards. Exit code 0 when every threshold held, 1 when
 * one broke, 2 when the run could not be made.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { checkReachable, closeAgents, trustCa } from './http';
import { renderComparison, renderReport } from './report/html';
import { type RunRecord, type RunSettings, type Progress, runLoad } from './run';
import { OPENING_HOUR_MIX, SCENARIOS, type ScenarioName, type StreamName } from './scenarios';
import { ROOT, type StackScale, type Target, type WatchedService, parseScale, scaleLabel, startLocalStack } from './stack';
import { parsePositive, parseRate } from './thresholds';

export const USAGE = `usage: pnpm loadtest <${SCENARIOS.join('|')}> [options]
       pnpm loadtest compare <before.json> <after.json> [--out file.html]
  --duration <s>          timed part (default 15)
  --connections <n>       concurrent connections, split between streams (default 200)
  --members <n>           synthetic members to create (default 20000)
  --mix a=30,b=20,c=50    opening-hour shares of sign-ins, ballots, viewers (default 2020's)
  --revalidate <share>    viewers sending If-None-Match (default 0.5)
  --p99 <ms>              fail when p99 over every answer is above
  --max-error-rate <r>    fail when errors / attempts is above (0.01 or 1%)
  --min-rps <n>           fail when good answers per second are below
  --soak                  steady load; fail when memory grows without bound or the backlog never drains
  --drain-timeout <s>     soak: longest wait for the backlogs to drain after the load (default 60)
  --max-memory-growth <mb> soak: allowed growth between the run's second and last quarter (default 64, or 25 %)
  --url <url>             a deployment's public address (http or https); default: start a local stack
  --scale vote=2,...      the local stack with several instances of vote, results or worker (1 each by default)
  --vote-host <host>      the vote site's Host (default vote.localhost)
  --results-host <host>   the results site's Host (default localhost)
  --database-url <url>    the rehearsal deployment's database: the run creates its rehearsal election
                          and synthetic members there, and removes them afterwards
  --use-open-election     with --url: the synthetic members vote in the election open there (a stack
                          of your own, e.g. the benchmarks'), not in a rehearsal election of the run's own
  --metrics name=url,...  /metrics of each service of a deployment (gateway, vote, results, worker)
  --ops-token <t>         sent to /metrics (default $OPS_TOKEN)
  --rehearsal-token <t>   reads codes from the rehearsal SMS outbox (default $REHEARSAL_TOKEN)
  --ca <file.pem>         trust this CA for an https --url (a rehearsal deployment's own), besides the machine's
  --insecure              accept a certificate this machine does not trust
  --out <dir>             where the JSON record and HTML report go (default loadtest/results)
  --report <file.html>    write the report to this file (and the record beside it as .json) instead,
                          e.g. docs/bench/reports/voting.html for a run BENCHMARKS.md links
  --label <text>          part of the file names and the report's title
  --quiet                 no progress bar or live line`;

export interface CliOptions {
  scenario: ScenarioName;
  settings: RunSettings;
  url?: string;
  voteHost: string;
  resultsHost: string;
  databaseUrl?: string;
  metrics: Record<string, string>;
  /** PEM file of a CA to trust for an https --url. */
  ca?: string;
  out: string;
  /** The report's own file name (`--report`), in place of a time-stamped one under `out`. */
  report?: string;
  quiet: boolean;
  /** Instances per service of the local stack (`--scale`). */
  scale: StackScale;
}

/** The command line as settings; throws with a message fit for the operator. */
export function parseCli(argv: string[], env: Record<string, string | undefined> = process.env): CliOptions {
  const { values: a, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      duration: { type: 'string', default: '15' },
      connections: { type: 'string', default: '200' },
      members: { type: 'string', default: '20000' },
      mix: { type: 'string' },
      revalidate: { type: 'string', default: '0.5' },
      p99: { type: 'string' },
      'max-error-rate': { type: 'string' },
      'min-rps': { type: 'string' },
      soak: { type: 'boolean', default: false },
      'drain-timeout': { type: 'string', default: '60' },
      'max-memory-growth': { type: 'string' },
      url: { type: 'string' },
      'vote-host': { type: 'string', default: 'vote.localhost' },
      'results-host': { type: 'string', default: 'localhost' },
      'database-url': { type: 'string' },
      'use-open-election': { type: 'boolean', default: false },
      metrics: { type: 'string' },
      'ops-token': { type: 'string' },
      'rehearsal-token': { type: 'string' },
      insecure: { type: 'boolean', default: false },
      ca: { type: 'string' },
      out: { type: 'string', default: path.join(ROOT, 'loadtest', 'results') },
      report: { type: 'string' },
      label: { type: 'string', default: '' },
      quiet: { type: 'boolean', default: false },
      scale: { type: 'string' },
    },
  });
  const scenario = positionals[0] as ScenarioName;
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario "${positionals[0] ?? ''}"\n${USAGE}`);
  const mix = { ...OPENING_HOUR_MIX };
  if (a.mix) {
    for (const part of a.mix.split(',')) {
      const [k, v] = part.split('=');
      if (!k || !(k in mix) || !(Number(v) >= 0)) throw new Error(`--mix: "${part}" is not sign-ins|ballots|viewers=<share>`);
      mix[k as StreamName] = Number(v);
    }
  }
  const metrics: Record<string, string> = {};
  for (const part of (a.metrics ?? '').split(',').filter(Boolean)) {
    const i = part.indexOf('=');
    const name = part.slice(0, i);
    if (i < 1 || !['gateway', 'vote', 'results', 'worker'].includes(name)) throw new Error(`--metrics: "${part}" is not gateway|vote|results|worker=<url>`);
    metrics[name] = part.slice(i + 1);
  }
  if (a.report !== undefined && !a.report.endsWith('.html')) throw new Error('--report names an .html file');
  if (a.url && !/^https?:\/\//.test(a.url)) throw new Error('--url must start with http:// or https://');
  const scale = parseScale(a.scale);
  if (a.url && a.scale) throw new Error('--scale applies to the local stack, not to --url (a deployment scales itself)');
  // A scaled run says so in its file names and title unless labelled otherwise.
  const label = a.label || (Object.values(scale).some((n) => n > 1) ? scaleLabel(scale).replace(/=/g, '').replace(/,/g, '-') : '');
  const opsToken = a['ops-token'] ?? env.OPS_TOKEN;
  const rehearsalToken = a['rehearsal-token'] ?? env.REHEARSAL_TOKEN;
  const settings: RunSettings = {
    scenario,
    connections: Math.round(parsePositive(a.connections, '--connections')),
    durationSeconds: parsePositive(a.duration, '--duration'),
    members: Math.round(parsePositive(a.members, '--members')),
    mix,
    revalidate: parseRate(a.revalidate),
    thresholds: {
      ...(a.p99 ? { p99Ms: parsePositive(a.p99, '--p99') } : {}),
      ...(a['max-error-rate'] ? { maxErrorRate: parseRate(a['max-error-rate']) } : {}),
      ...(a['min-rps'] ? { minRps: parsePositive(a['min-rps'], '--min-rps') } : {}),
    },
    insecure: a.insecure,
    soak: a.soak,
    drainSeconds: parsePositive(a['drain-timeout'], '--drain-timeout'),
    ...(a['max-memory-growth'] ? { maxMemoryGrowthMb: parsePositive(a['max-memory-growth'], '--max-memory-growth') } : {}),
    label,
    ...(a['use-open-election'] ? { useOpenElection: true } : {}),
    ...(opsToken ? { opsToken } : {}),
    ...(rehearsalToken ? { rehearsalToken } : {}),
  };
  return {
    scenario,
    settings,
    ...(a.url ? { url: a.url.replace(/\/$/, '') } : {}),
    voteHost: a['vote-host'],
    resultsHost: a['results-host'],
    ...(a['database-url'] ? { databaseUrl: a['database-url'] } : {}),
    metrics,
    ...(a.ca ? { ca: path.resolve(a.ca) } : {}),
    out: path.resolve(a.out),
    ...(a.report ? { report: path.resolve(a.report) } : {}),
    quiet: a.quiet,
    scale,
  };
}

/**
 * A deployment as a Target: only what the operator gave. Without --metrics the gateway's
 * own /_gateway/metrics and the sites' /metrics are read through the public address (the
 * gateway serves them only to the OPS_TOKEN bearer); the worker has no public address.
 */
export function remoteTarget(o: CliOptions): Target {
  const services: WatchedService[] = [];
  const through = { gateway: ['/_gateway/metrics', o.voteHost], vote: ['/metrics', o.voteHost], results: ['/metrics', o.resultsHost] } as const;
  for (const name of ['gateway', 'vote', 'results'] as const) {
    const given = o.metrics[name];
    services.push(given ? { name, metricsUrl: given } : { name, metricsUrl: `${o.url}${through[name][0]}`, metricsHost: through[name][1] });
  }
  if (o.metrics.worker) services.push({ name: 'worker', metricsUrl: o.metrics.worker });
  return {
    url: o.url!,
    voteHost: o.voteHost,
    resultsHost: o.resultsHost,
    services,
    ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
    smsPath: '/api/v1/rehearsal/sms',
    stop: async () => undefined,
  };
}

/** A progress bar and a live line on a terminal; a line every 5 s otherwise. */
function consoleProgress(quiet: boolean): Progress & { stop(): void } {
  const tty = process.stderr.isTTY;
  let bar: cliProgress.SingleBar | null = null;
  const live = (l: Parameters<Progress['tick']>[2]) =>
    `${l.rps} answers/s (${l.good} good) | p50 ${l.p50} ms p99 ${l.p99} ms | errors ${l.errors} 5xx ${l.s5xx}${l.backlog === null ? '' : ` | backlog ${l.backlog}`}`;
  return {
    phase(text) {
      if (quiet) return;
      if (bar) bar.stop();
      bar = null;
      console.error(`[loadtest] ${text}`);
    },
    tick(elapsed, total, last) {
      if (quiet) return;
      if (tty) {
        if (!bar) {
          bar = new cliProgress.SingleBar({ format: '{bar} {percentage}% {value}/{total} s | {live}', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
          bar.start(total, 0, { live: '' });
        }
        bar.update(Math.round(elapsed), { live: live(last) });
      } else if (Math.round(elapsed) % 5 === 0) {
        console.error(`[loadtest] ${Math.round(elapsed)}/${total} s | ${live(last)}`);
      }
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}

/**
 * Writes the run's JSON record and HTML report; returns their paths. Under `dir` with a
 * time-stamped name, or as `report` (`x.html` and `x.json` beside it) when given: a fixed
 * place such as docs/bench/reports/, for runs the repository keeps and links.
 */
export async function writeRun(record: RunRecord, dir: string, report?: string): Promise<{ json: string; html: string }> {
  const stamp = record.startedAt.replace(/[:.]/g, '-');
  const base = report ? report.replace(/\.html$/, '') : path.join(dir, `${record.scenario}${record.label ? `-${record.label}` : ''}-${stamp}`);
  await mkdir(path.dirname(base), { recursive: true });
  await writeFile(`${base}.json`, JSON.stringify(record, null, 1));
  await writeFile(`${base}.html`, await renderReport(record));
  return { json: `${base}.json`, html: `${base}.html` };
}

export function summaryLines(r: RunRecord): string[] {
  const lines = [`${r.scenario} — ${r.settings.connections} connections, ${r.durationSeconds} s → ${r.target.url}`];
  for (const s of r.streams) {
    const t = s.totals;
    lines.push(
      `  ${s.name.padEnd(9)} ${(t.answers / r.settings.durationSeconds).toFixed(0)} answers/s, ${(t.good / r.settings.durationSeconds).toFixed(0)} good/s | p50 ${t.latency.p50} p99 ${t.latency.p99} max ${t.latency.max} ms | statuses ${JSON.stringify(t.statuses)} | shed ${t.shed}, socket errors ${t.transportErrors}`,
    );
  }
  lines.push(`  all       ${r.all.answersPerSecond} answers/s, ${r.all.goodPerSecond} good/s | p99 ${r.all.latency.p99} ms | error rate ${(r.all.errorRate * 100).toFixed(2)} %`);
  for (const v of r.verdicts) lines.push(`  ${v.pass ? 'PASS' : 'FAIL'} ${v.name} ${v.measured} (limit ${v.limit})`);
  return lines;
}

async function compare(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' } } });
  const [a, b] = positionals;
  if (!a || !b) throw new Error(USAGE);
  const before = JSON.parse(await readFile(a, 'utf8')) as RunRecord;
  const after = JSON.parse(await readFile(b, 'utf8')) as RunRecord;
  const out = values.out ?? b.replace(/\.json$/, '') + '-compare.html';
  await writeFile(out, await renderComparison(before, after));
  console.log(`comparison → ${path.relative(process.cwd(), out)}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'compare') return compare(argv.slice(1));
  if (argv.length === 0 || argv.includes('--help')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const o = parseCli(argv);
  const progress = consoleProgress(o.quiet);
  let target: Target;
  if (o.ca) trustCa(await readFile(o.ca, 'utf8'));
  if (o.url) {
    await checkReachable(o.url, o.voteHost, o.settings.insecure);
    target = remoteTarget(o);
  } else {
    progress.phase(`starting a local stack (gateway, vote, results, worker; ${scaleLabel(o.scale)}) on free ports`);
    target = await startLocalStack('loadtest', {}, o.scale);
  }
  try {
    const record = await runLoad(target, o.settings, progress);
    progress.stop();
    const files = await writeRun(record, o.out, o.report);
    for (const l of summaryLines(record)) console.log(l);
    console.log(`  report ${path.relative(process.cwd(), files.html)}\n  record ${path.relative(process.cwd(), files.json)}`);
    return record.pass ? 0 : 1;
  } finally {
    progress.stop();
    await target.stop();
    closeAgents();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
