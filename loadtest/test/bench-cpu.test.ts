import { benchScenario, perUnit, summarize, table } from '../kit/bench-cpu';

/** A smoke run of `pnpm bench:cpu`'s accounting against a stack of its own (no official figures). */
jest.setTimeout(300_000);

it('accounts server CPU per accepted ballot per process group, the load generator apart', async () => {
  const r = await benchScenario('voting', { runs: 2, duration: 2, connections: 6, members: 600 });
  expect(r.runs).toHaveLength(2);
  for (const run of r.runs) {
    expect(run.units).toBeGreaterThan(0);
    // Every server process did work for the ballots, and the total is their sum.
    for (const g of ['gateway', 'vote', 'worker', 'postgres'] as const) expect(run.cpuSeconds[g]).toBeGreaterThan(0);
    const sum = ['gateway', 'vote', 'results', 'worker', 'postgres', 'redis'].reduce((n, g) => n + run.cpuSeconds[g as 'vote'], 0);
    expect(Math.abs(run.usPerUnit.total - (sum * 1e6) / run.units)).toBeLessThan(5);
    expect(run.cpuSeconds['load generator']).toBeGreaterThan(0);
  }
  expect(table(r)).toMatch(/µs per accepted ballot/);
});

it('computes per-unit figures, medians and spreads', () => {
  const cpu = { gateway: 0.5, vote: 0.4, results: 0, worker: 0.2, postgres: 0.3, redis: 0.1, 'load generator': 2 };
  const u = perUnit(cpu, 1000);
  expect(u).toEqual({ gateway: 500, vote: 400, results: 0, worker: 200, postgres: 300, redis: 100, 'load generator': 2000, total: 1500 });
  const s = summarize([1400, 1500, 1700].map((total) => ({ units: 1, unitsPerSecond: 1, p99Ms: 1, cpuSeconds: cpu, usPerUnit: { ...u, total } })));
  expect(s.median.total).toBe(1500);
  expect(s.spread.total).toBe(300);
});
