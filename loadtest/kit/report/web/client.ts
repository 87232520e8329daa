/**
 * The report page's script, bundled with uPlot into the page by esbuild (report/html.ts):
 * draws the charts from the run records embedded as JSON. No other host is contacted.
 */
import uPlot from 'uplot';

interface Row {
  t: number;
  [k: string]: number | null | undefined;
}

interface Series {
  label: string;
  rows: Row[];
  key: string;
}

interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  series: Series[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** Aligns series on one time axis (seconds, rounded to the tenth). */
function align(series: Series[]): uPlot.AlignedData {
  const ts = [...new Set(series.flatMap((s) => s.rows.map((r) => Math.round(r.t * 10) / 10)))].sort((a, b) => a - b);
  const cols = series.map((s) => {
    // A second without answers has no latency: a gap, not a zero.
    const latency = /^(p\d+|max)$/.test(s.key);
    const byT = new Map(s.rows.map((r) => [Math.round(r.t * 10) / 10, latency && r['answers'] === 0 ? null : r[s.key]]));
    return ts.map((t) => {
      const v = byT.get(t);
      return v === undefined || v === null ? null : v;
    });
  });
  return [ts, ...cols] as uPlot.AlignedData;
}

function draw(spec: ChartSpec): void {
  const el = document.getElementById(spec.id);
  if (!el) return;
  if (spec.series.every((s) => s.rows.every((r) => r[s.key] === null || r[s.key] === undefined))) {
    el.textContent = 'not measured in this run';
    return;
  }
  const opts: uPlot.Options = {
    title: spec.title,
    width: Math.min(1100, el.clientWidth || 900),
    height: 260,
    scales: { x: { time: false } },
    axes: [{ label: 'seconds' }, { label: spec.unit, size: 60 }],
    series: [{ label: 's' }, ...spec.series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length]!, width: 1.5, spanGaps: false }))],
  };
  new uPlot(opts, align(spec.series), el);
}

declare global {
  interface Window {
    __CHARTS__: ChartSpec[];
  }
}

for (const spec of window.__CHARTS__) draw(spec);
