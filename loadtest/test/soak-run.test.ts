import { type RunRecord, runLoad } from '../kit/run';
import { OPENING_HOUR_MIX } from '../kit/scenarios';
import { type LocalStack, startLocalStack } from '../kit/stack';
import { renderReport } from '../kit/report/html';

/** A short soak against a stack of its own: memory and event-loop delay over time, the backlog drained. */
jest.setTimeout(300_000);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack('kitsoak');
});
afterAll(async () => stack?.stop());

it('reports each service over time and judges memory and the drain', async () => {
  const r: RunRecord = await runLoad(stack, {
    scenario: 'voting',
    connections: 8,
    durationSeconds: 8,
    members: 2000,
    mix: { ...OPENING_HOUR_MIX },
    revalidate: 0.5,
    thresholds: {},
    insecure: false,
    soak: true,
    drainSeconds: 60,
  });
  expect(r.drain).toEqual({ drained: true, seconds: expect.any(Number) });
  expect(r.soak).not.toBeNull();
  expect(r.soak!.memory.map((m) => m.service).sort()).toEqual(['gateway', 'results', 'vote', 'worker']);
  for (const m of r.soak!.memory) expect(m.worstLoopP99Ms).toBeGreaterThan(0);
  expect(r.verdicts.map((v) => v.name)).toEqual(expect.arrayContaining(['vote memory levels off', 'votes backlog drains']));
  expect(r.pass).toBe(true);
  // Samples continue through the drain, after the timed part.
  expect(r.services['vote']!.at(-1)!.t).toBeGreaterThanOrEqual(8);
  expect(r.services['vote']!.at(-1)!.votesBacklog).toBe(0);
  const html = await renderReport(r);
  expect(html.includes('<h2>Soak</h2>')).toBe(true);
});
