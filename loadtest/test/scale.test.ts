import { parseCli } from '../kit/cli';
import { parseScale, scaleLabel } from '../kit/stack';

// Issue #17: `--scale` of `pnpm loadtest` and `pnpm bench:cpu` (the stack's instances).
// A scaled stack itself runs in `pnpm bench:cpu --compare-scale` (docs/loadtest.md).
describe('--scale', () => {
  it('reads instances per service, labels the run with them, and keeps the default at one each', () => {
    expect(parseScale('vote=2,worker=3')).toEqual({ vote: 2, worker: 3 });
    expect(parseScale(undefined)).toEqual({});
    expect(scaleLabel({ vote: 2, results: 1 })).toBe('vote=2');
    expect(scaleLabel({})).toBe('1 each');
    const o = parseCli(['voting', '--scale', 'vote=2,results=2']);
    expect(o.scale).toEqual({ vote: 2, results: 2 });
    expect(o.settings.label).toBe('vote2-results2');
    expect(parseCli(['voting', '--scale', 'vote=2', '--label', 'mine']).settings.label).toBe('mine');
    expect(parseCli(['voting']).scale).toEqual({});
  });

  it('refuses the gateway, counts out of 1–9, and --url', () => {
    expect(() => parseScale('gateway=2')).toThrow(/--scale: "gateway=2" is not vote\|results\|worker=<1-9>/);
    expect(() => parseScale('vote=10')).toThrow(/--scale/);
    expect(() => parseCli(['voting', '--scale', 'vote=2', '--url', 'https://vote.example.kz'])).toThrow(/--scale applies to the local stack/);
  });
});
