/**
 * `pnpm bench:cpu`: server CPU per accepted unit of work, per process group, from /proc
 * (issue #18's measuring tool). For each scenario it starts the stack on free ports (own
 * database and Redis prefix), runs it `--runs` times, and accounts the CPU each group spent
 * from the start of the timed part until the votes backlog drained:
 *   voting           µs per accepted ballot (202)
 *   login-storm      µs per accepted code request (202)
 *   results-viewers  µs per answer (200/304)
 * Groups: gateway, vote, results, worker, the Postgres backends of the stack's database,
 * the Redis server, and the load generator apart (not in the total). Prints each run, the
 * median and the spread (max − min) per component and in total, and writes a JSON record.
 *
 *   pnpm bench:cpu [--scenarios voting,login-storm,results-viewers] [--runs 3]
 *                  [--duration 15] [--connections 200] [--members 20000] [--out dir]
 *                  [--scale vote=2] [--compare-scale vote=2]
 * --scale runs the stack with several instances of a service (CPU summed per service);
 * --compare-scale runs each scenario twice, with one instance each and with that scale,
 * and prints both (issue #17: the voting scenario with 1 and with 2 vote instances).
 *
 * The machine's Redis and Postgres serve other work too: their background processes are
 * not counted, and the Redis server's CPU includes any other client's (run on a quiet
 * machine for figures that mean something).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type CpuSnapshot, type Group, cpuBetween, snapshot } from './cpu';
import { closeAgents } from './http';
import { type RunRecord, runLoad } from './run';
import { OPENING_HOUR_MIX, type ScenarioName } from './scenarios';
import { ROOT, type StackScale, parseScale, scaleLabel, startLocalStack } from './stack';

const GROUPS: Group[] = ['gateway', 'vote', 'results', 'worker', 'postgres', 'redis'];
const UNIT: Record<string, string> = { voting: 'accepted ballot', 'login-storm': 'accepted code request', 'results-viewers': 'answer' };

export interface CpuRun {
  units: number;
  unitsPerSecond: number;
  p99Ms: number;
  /** CPU seconds per group over the run. */
  cpuSeconds: Record<Group, number>;
  /** µs per unit per group, and the server total (load generator excluded). */
  usPerUnit: Record<Group | 'total', number>;
}

export interface CpuScenario {
  scenario: ScenarioName;
  /** The stack's instances (`1 each`, `vote=2` …). */
  scale: string;
  unit: string;
  runs: CpuRun[];
  median: Record<Group | 'total', number>;
  spread: Record<Group | 'total', number>;
}

/** Units of work a run accepted: 202s for sign-ins and ballots, good answers for viewers. */
export function unitsOf(r: RunRecord): number {
  const s = r.streams[0]!;
  return s.name === 'viewers' ? s.totals.good : (s.totals.statuses['202'] ?? 0);
}

/** Per-unit figures of one run from its CPU seconds. */
export function perUnit(cpu: Record<Group, number>, units: number): Record<Group | 'total', number> {
  const us = (s: number) => (units > 0 ? Math.round((s * 1e6) / units) : 0);
  const out = {} as Record<Group | 'total', number>;
  let total = 0;
  for (const g of [...GROUPS, 'load generator'] as Group[]) {
    out[g] = us(cpu[g]);
    if (g !== 'load generator') total += cpu[g];
  }
  out.total = us(total);
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : Math.round((s[m - 1]! + s[m]!) / 2);
}

/** Median and spread (max − min) per component over the runs. */
export function summarize(runs: CpuRun[]): { median: Record<Group | 'total', number>; spread: Record<Group | 'total', number> } {
  const keys = [...GROUPS, 'load generator', 'total'] as Array<Group | 'total'>;
  const med = {} as Record<Group | 'total', number>;
  const spread = {} as Record<Group | 'total', number>;
  for (const k of keys) {
    const xs = runs.map((r) => r.usPerUnit[k]);
    med[k] = median(xs);
    spread[k] = Math.max(...xs) - Math.min(...xs);
  }
  return { median: med, spread };
}

export async function benchScenario(scenario: ScenarioName, o: { runs: number; duration: number; connections: number; members: number; scale?: StackScale; log?: (s: string) => void }): Promise<CpuScenario> {
  const log = o.log ?? (() => undefined);
  const scale = o.scale ?? {};
  const stack = await startLocalStack(`cpu${scenario.replace(/-/g, '')}`, {}, scale);
  const runs: CpuRun[] = [];
  try {
    const sources = { services: stack.services, databaseUrl: stack.databaseUrl, redisUrl: stack.redisUrl };
    for (let i = 0; i < o.runs; i++) {
      let before: CpuSnapshot | null = null;
      let after: CpuSnapshot | null = null;
      const record = await runLoad(
        stack,
        { scenario, connections: o.connections, durationSeconds: o.duration, members: o.members, mix: { ...OPENING_HOUR_MIX }, revalidate: 0.5, thresholds: {}, insecure: false, drainSeconds: 120 },
        undefined,
        {
          beforeLoad: async () => {
            before = await snapshot(sources);
          },
          afterDrain: async () => {
            after = await snapshot(sources);
          },
        },
      );
      if (!before || !after) throw new Error('the CPU snapshots were not taken');
      const cpu = cpuBetween(before, after);
      const units = unitsOf(record);
      const run: CpuRun = {
        units,
        unitsPerSecond: +(units / record.settings.durationSeconds).toFixed(1),
        p99Ms: record.all.latency.p99,
        cpuSeconds: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, +v.toFixed(3)])) as Record<Group, number>,
        usPerUnit: perUnit(cpu, units),
      };
      runs.push(run);
      log(`${scenario} (${scaleLabel(scale)}) run ${i + 1}: ${units} × ${UNIT[scenario]} (${run.unitsPerSecond}/s), server CPU ${run.usPerUnit.total} µs each`);
    }
  } finally {
    await stack.stop();
  }
  return { scenario, scale: scaleLabel(scale), unit: UNIT[scenario]!, runs, ...summarize(runs) };
}

export function table(s: CpuScenario): string {
  const keys = [...GROUPS, 'total', 'load generator'] as Array<Group | 'total'>;
  const head = `µs per ${s.unit}`.padEnd(30) + s.runs.map((_, i) => `run ${i + 1}`.padStart(9)).join('') + 'median'.padStart(9) + '±range/2'.padStart(10);
  const lines = [`${s.scenario} (${s.scale}): ${s.runs.map((r) => `${r.unitsPerSecond}/s`).join(', ')}`, head];
  for (const k of keys) {
    const label = k === 'load generator' ? '(load generator, apart)' : k;
    lines.push(label.padEnd(30) + s.runs.map((r) => String(r.usPerUnit[k]).padStart(9)).join('') + String(s.median[k]).padStart(9) + `±${Math.round(s.spread[k] / 2)}`.padStart(10));
  }
  return lines.join('\n');
}

async function main() {
  const { values: a } = parseArgs({
    options: {
      scenarios: { type: 'string', default: 'voting,login-storm,results-viewers' },
      runs: { type: 'string', default: '3' },
      duration: { type: 'string', default: '15' },
      connections: { type: 'string', default: '200' },
      members: { type: 'string', default: '20000' },
      out: { type: 'string', default: path.join(ROOT, 'loadtest', 'results') },
      scale: { type: 'string' },
      'compare-scale': { type: 'string' },
    },
  });
  if (a.scale && a['compare-scale']) throw new Error('--scale or --compare-scale, not both');
  // One stack per scale: with --compare-scale, one instance each first, then the given scale.
  const scales = a['compare-scale'] ? [{}, parseScale(a['compare-scale'])] : [parseScale(a.scale)];
  const scenarios = a.scenarios.split(',').map((s) => s.trim()) as ScenarioName[];
  for (const s of scenarios) if (!UNIT[s]) throw new Error(`bench:cpu measures voting, login-storm or results-viewers, not "${s}"`);
  const results: CpuScenario[] = [];
  for (const s of scenarios) {
    for (const scale of scales) {
      const r = await benchScenario(s, { runs: Number(a.runs), duration: Number(a.duration), connections: Number(a.connections), members: Number(a.members), scale, log: (l) => console.error(`[bench:cpu] ${l}`) });
      results.push(r);
      console.log(`\n${table(r)}`);
    }
  }
  await mkdir(a.out, { recursive: true });
  const file = path.join(a.out, `bench-cpu-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ at: new Date().toISOString(), settings: a, note: 'server CPU per unit, µs; the load generator apart; Redis server CPU includes any other client of the machine', results }, null, 1));
  console.log(`\nrecord ${path.relative(process.cwd(), file)}`);
  closeAgents();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
