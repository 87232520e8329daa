import { parseCli } from '../kit/cli';
import { judge, parseRate } from '../kit/thresholds';

describe('thresholds', () => {
  it('reads rates as fractions or percentages', () => {
    expect(parseRate('0.01')).toBe(0.01);
    expect(parseRate('1%')).toBe(0.01);
    expect(() => parseRate('abc')).toThrow(/not a rate/);
    expect(() => parseRate('150%')).toThrow(/more than 100/);
  });

  it('fails each limit that the run broke, and only those', () => {
    const measured = { p99Ms: 250, errorRate: 0.02, goodPerSecond: 900 };
    expect(judge({}, measured)).toEqual([]);
    const v = judge({ p99Ms: 200, maxErrorRate: 0.05, minRps: 1000 }, measured);
    expect(v.map((x) => [x.name, x.pass])).toEqual([
      ['p99', false],
      ['error rate', true],
      ['throughput', false],
    ]);
    expect(judge({ p99Ms: 250, maxErrorRate: 0.02, minRps: 900 }, measured).every((x) => x.pass)).toBe(true);
  });

  it('takes them from the command line', () => {
    const o = parseCli(['voting', '--p99', '150', '--max-error-rate', '0.5%', '--min-rps', '3000', '--url', 'https://vote.example.kz/', '--vote-host', 'vote.example.kz']);
    expect(o.settings.thresholds).toEqual({ p99Ms: 150, maxErrorRate: 0.005, minRps: 3000 });
    expect(o.url).toBe('https://vote.example.kz');
    expect(() => parseCli(['voting', '--p99', '-3'])).toThrow(/--p99/);
    expect(() => parseCli(['nonsense'])).toThrow(/unknown scenario/);
    expect(parseCli(['opening-hour', '--mix', 'sign-ins=10,ballots=10,viewers=80']).settings.mix).toEqual({ 'sign-ins': 10, ballots: 10, viewers: 80 });
  });
});
