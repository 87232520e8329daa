import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import type { RunRecord } from '../run';

/**
 * A run's report as one self-contained HTML file: the figures as tables, the charts drawn
 * by uPlot (bundled into the page with the chart script by esbuild, its stylesheet
 * inlined), the run record embedded. Opens from disk, mails as an attachment, contacts no
 * other host.
 */

let assets: Promise<{ js: string; css: string }> | null = null;

/** The bundled chart script and uPlot's stylesheet (built once per process). */
function chartAssets(): Promise<{ js: string; css: string }> {
  assets ??= (async () => {
    const result = await build({
      entryPoints: [path.join(__dirname, 'web', 'client.ts')],
      bundle: true,
      minify: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      platform: 'browser',
      logLevel: 'silent',
    });
    const css = await readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    return { js: result.outputFiles[0]!.text, css };
  })();
  return assets;
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON inside a <script> element: `<` escaped so no string can close the element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c');

function table(head: string[], rows: Array<Array<string | number>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1140px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:6px 0 12px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}
.pass{color:#1a7f37;font-weight:600}.fail{color:#c62828;font-weight:600}.muted{color:#666}
.chart{min-height:60px;margin:8px 0}`;

interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: Array<{ label: string; rows: unknown[]; key: string }>;
}

/** The charts of one run; `tag` prefixes labels and ids (the comparison page draws two runs). */
function chartsOf(r: RunRecord, tag = ''): ChartSpec[] {
  const id = (s: string) => `${tag ? `${tag}-` : ''}${s}`;
  const lab = (s: string) => (tag ? `${tag}: ${s}` : s);
  const streams = r.streams.length > 1 ? [...r.streams.map((s) => ({ label: s.name, rows: s.rows })), { label: 'all', rows: r.all.rows }] : [{ label: r.streams[0]!.name, rows: r.all.rows }];
  const svc = Object.entries(r.services);
  const vote = r.services['vote'] ?? [];
  const results = r.services['results'] ?? [];
  return [
    { id: id('throughput'), title: 'Throughput', unit: 'answers/s', series: streams.flatMap((s) => [{ label: lab(`${s.label} answers`), rows: s.rows, key: 'answers' }, { label: lab(`${s.label} good`), rows: s.rows, key: 'good' }]) },
    {
      id: id('latency'),
      title: 'Latency percentiles (every answer, per second)',
      unit: 'ms',
      series: ['p50', 'p90', 'p99', 'max'].map((k) => ({ label: lab(k), rows: r.all.rows, key: k })),
    },
    { id: id('status'), title: 'Answers by status', unit: 'per second', series: ['s2xx', 's3xx', 's4xx', 's5xx', 'errors'].map((k) => ({ label: lab(k.replace(/^s/, '')), rows: r.all.rows, key: k })) },
    {
      id: id('retry'),
      title: 'Retry-After: answers asking to wait, and the wait asked',
      unit: 'count / seconds',
      series: [
        { label: lab('answers with Retry-After'), rows: r.all.rows, key: 'retryAfterCount' },
        { label: lab('mean wait (s)'), rows: r.all.rows, key: 'retryAfterMean' },
        { label: lab('longest wait (s)'), rows: r.all.rows, key: 'retryAfterMax' },
      ],
    },
    { id: id('backlog'), title: 'Votes queue backlog and SMS backlog (vote service metrics)', unit: 'waiting', series: [{ label: lab('votes backlog'), rows: vote, key: 'votesBacklog' }, { label: lab('SMS backlog'), rows: vote, key: 'smsBacklog' }] },
    { id: id('snapshot'), title: 'Results snapshot age (results service metrics)', unit: 'seconds', series: [{ label: lab('snapshot age'), rows: results, key: 'snapshotAgeSeconds' }] },
    { id: id('cpu'), title: 'CPU per service', unit: '% of a core', series: svc.map(([n, rows]) => ({ label: lab(n), rows, key: 'cpuPct' })) },
    { id: id('memory'), title: 'Resident memory per service', unit: 'MB', series: svc.map(([n, rows]) => ({ label: lab(n), rows, key: 'rssMb' })) },
    { id: id('loop'), title: 'Event-loop delay p99 per service', unit: 'ms', series: svc.map(([n, rows]) => ({ label: lab(n), rows, key: 'loopP99Ms' })) },
  ];
}

function figures(r: RunRecord): string {
  const per = (n: number) => (n / r.settings.durationSeconds).toFixed(1);
  const rows = r.streams.map((s) => [
    s.name,
    s.connections,
    s.totals.answers,
    per(s.totals.answers),
    per(s.totals.good),
    s.totals.latency.p50,
    s.totals.latency.p90,
    s.totals.latency.p99,
    s.totals.latency.max,
    s.totals.shed,
    s.totals.transportErrors,
    s.totals.serverErrors,
  ]);
  if (r.streams.length > 1) rows.push(['all', r.settings.connections, r.all.answers, per(r.all.answers), per(r.all.good), r.all.latency.p50, r.all.latency.p90, r.all.latency.p99, r.all.latency.max, '', '', '']);
  return table(['stream', 'connections', 'answers', 'answers/s', 'good/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'shed (429/503 + Retry-After)', 'socket errors', '5xx errors'], rows);
}

function autocannonTable(r: RunRecord): string {
  return table(
    ['stream', 'requests.total', 'latency p50', 'p90', 'p99', 'max', 'errors', 'timeouts', 'non2xx'],
    r.streams.map((s) => [s.name, s.autocannon.requestsTotal, s.autocannon.latency.p50, s.autocannon.latency.p90, s.autocannon.latency.p99, s.autocannon.latency.max, s.autocannon.errors, s.autocannon.timeouts, s.autocannon.non2xx]),
  );
}

function statuses(r: RunRecord): string {
  const rows: Array<Array<string | number>> = [];
  for (const s of r.streams) {
    for (const [code, n] of Object.entries(s.totals.statuses)) rows.push([s.name, `HTTP ${code}`, n]);
    for (const [code, n] of Object.entries(s.totals.errorCodes)) rows.push([s.name, code, n]);
  }
  return table(['stream', 'status / error code', 'answers'], rows);
}

function settingsTable(r: RunRecord): string {
  const s = r.settings;
  return table(
    ['setting', 'value'],
    [
      ['scenario', r.scenario],
      ['target', `${r.target.url} (vote: ${r.target.voteHost}, results: ${r.target.resultsHost})${r.target.local ? ', local stack started by the run' : ''}`],
      ['started / finished', `${r.startedAt} / ${r.finishedAt}`],
      ['duration', `${s.durationSeconds} s (measured ${r.durationSeconds} s)`],
      ['connections', s.connections],
      ['synthetic members', s.members],
      ...(r.streams.length > 1 ? [['mix (shares)', Object.entries(s.mix).map(([k, v]) => `${k} ${v}`).join(', ')] as [string, string]] : []),
      ['viewers revalidating', s.revalidate],
      ['thresholds', JSON.stringify(s.thresholds)],
      ['soak', s.soak ? 'yes' : 'no'],
    ],
  );
}

function verdicts(r: RunRecord): string {
  if (r.verdicts.length === 0) return '<p class="muted">No thresholds were given.</p>';
  return table(['check', 'limit', 'measured', 'result'], r.verdicts.map((v) => [v.name, v.limit, v.measured, v.pass ? 'PASS' : 'FAIL']));
}

function soakSection(r: RunRecord): string {
  if (!r.soak) return '';
  const mem = table(
    ['service', 'RSS 2nd quarter MB', 'RSS last quarter MB', 'growth MB', 'slope at the end MB/min', 'worst event-loop p99 ms'],
    r.soak.memory.map((m) => [m.service, m.secondQuarterMb, m.lastQuarterMb, m.growthMb, m.slopeMbPerMin, m.worstLoopP99Ms ?? '']),
  );
  const b = r.soak.backlog;
  const backlog = b ? `<p>Votes backlog: median ${b.secondQuarter} in the second quarter, ${b.lastQuarter} in the last; ${b.drained ? `drained ${b.drainSeconds} s after the load` : 'did not drain within the timeout'}.</p>` : '<p class="muted">The votes backlog was not measured.</p>';
  return `<h2>Soak</h2>${mem}${backlog}`;
}

function page(title: string, body: string, charts: ChartSpec[], a: { js: string; css: string }): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>${a.css}${STYLE}</style></head><body>${body}
<script>window.__CHARTS__=${scriptJson(charts)};</script>
<script>${a.js.replace(/<\/script/gi, '<\\/script')}</script></body></html>`;
}

/** The report of one run. */
export async function renderReport(r: RunRecord): Promise<string> {
  const a = await chartAssets();
  const charts = chartsOf(r);
  const title = `${r.scenario}${r.label ? ` (${r.label})` : ''} — ${r.startedAt}`;
  const body = `<h1>Load test: ${esc(title)}</h1>
<p class="${r.pass ? 'pass' : 'fail'}">${r.pass ? 'PASS' : 'FAIL'}</p>
<p class="muted">${r.all.answersPerSecond} answers/s, ${r.all.goodPerSecond} good answers/s, p99 ${r.all.latency.p99} ms, error rate ${(r.all.errorRate * 100).toFixed(2)} %.</p>
<h2>Thresholds</h2>${verdicts(r)}
<h2>Figures</h2>${figures(r)}
<p class="muted">autocannon's own summary of the same streams (the figures above are recorded from the same answers):</p>${autocannonTable(r)}
<h2>Over time</h2>${charts.map((c) => `<div class="chart" id="${c.id}"></div>`).join('')}
${soakSection(r)}
<h2>Answers by status</h2>${statuses(r)}
<h2>Settings</h2>${settingsTable(r)}
<script type="application/json" id="run">${scriptJson(r)}</script>`;
  return page(title, body, charts, a);
}

/** Before and after: the key figures side by side and both runs' curves on the same charts. */
export async function renderComparison(before: RunRecord, after: RunRecord): Promise<string> {
  const a = await chartAssets();
  const delta = (x: number, y: number) => (x === 0 ? '' : `${(((y - x) / x) * 100).toFixed(1)} %`);
  const rows: Array<Array<string | number>> = [
    ['answers/s', before.all.answersPerSecond, after.all.answersPerSecond, delta(before.all.answersPerSecond, after.all.answersPerSecond)],
    ['good answers/s', before.all.goodPerSecond, after.all.goodPerSecond, delta(before.all.goodPerSecond, after.all.goodPerSecond)],
    ['p50 ms', before.all.latency.p50, after.all.latency.p50, delta(before.all.latency.p50, after.all.latency.p50)],
    ['p99 ms', before.all.latency.p99, after.all.latency.p99, delta(before.all.latency.p99, after.all.latency.p99)],
    ['max ms', before.all.latency.max, after.all.latency.max, delta(before.all.latency.max, after.all.latency.max)],
    ['error rate %', +(before.all.errorRate * 100).toFixed(3), +(after.all.errorRate * 100).toFixed(3), ''],
  ];
  const pair = (id: string, title: string, unit: string, pick: (r: RunRecord) => Array<{ label: string; rows: unknown[]; key: string }>): ChartSpec => ({
    id,
    title,
    unit,
    series: [...pick(before).map((s) => ({ ...s, label: `before: ${s.label}` })), ...pick(after).map((s) => ({ ...s, label: `after: ${s.label}` }))],
  });
  const charts: ChartSpec[] = [
    pair('cmp-good', 'Good answers per second', 'answers/s', (r) => [{ label: 'good', rows: r.all.rows, key: 'good' }]),
    pair('cmp-p99', 'Latency p99 per second', 'ms', (r) => [{ label: 'p99', rows: r.all.rows, key: 'p99' }]),
    pair('cmp-backlog', 'Votes backlog', 'waiting', (r) => [{ label: 'backlog', rows: r.services['vote'] ?? [], key: 'votesBacklog' }]),
    pair('cmp-cpu', 'CPU per service', '% of a core', (r) => Object.entries(r.services).map(([n, rows]) => ({ label: n, rows, key: 'cpuPct' }))),
  ];
  const title = `${before.scenario}: ${before.label || before.startedAt} → ${after.label || after.startedAt}`;
  const body = `<h1>Comparison — ${esc(title)}</h1>
<p class="muted">before: ${esc(before.startedAt)} (${esc(before.target.url)}), after: ${esc(after.startedAt)} (${esc(after.target.url)})</p>
${table(['figure', 'before', 'after', 'change'], rows)}
<h2>Over time</h2>${charts.map((c) => `<div class="chart" id="${c.id}"></div>`).join('')}
<h2>Settings</h2><h3>before</h3>${settingsTable(before)}<h3>after</h3>${settingsTable(after)}`;
  return page(`comparison ${title}`, body, charts, a);
}
