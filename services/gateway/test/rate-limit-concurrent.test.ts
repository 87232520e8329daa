import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';

/**
 * The gateway's Redis client auto-pipelines (redisOptions('request')): the rate-limit
 * calls of concurrent requests go out together. The count must stay exact and per address.
 */
describe('vote-site rate limit under concurrent requests', () => {
  let vote: Upstream;
  let h: Harness;
  beforeAll(async () => {
    vote = await startUpstream('vote');
    h = await startGateway({ vote: vote.url, results: vote.url }, { RATE_LIMIT_VOTE_MAX: '5', RATE_LIMIT_WINDOW_SECONDS: '30' });
  });
  afterAll(async () => {
    await h.close();
    await vote.close();
  });

  const hit = (ip: string) => h.gateway.inject({ method: 'POST', url: '/api/v1/votes', payload: '{}', headers: { host: 'vote.localhost', 'content-type': 'application/json', 'x-forwarded-for': ip } });

  it('uses an auto-pipelining client', () => {
    expect(h.gateway.redis.options.enableAutoPipelining).toBe(true);
  });

  it('lets exactly the limit through per address when requests arrive at once', async () => {
    const ips = ['198.51.100.11', '198.51.100.12', '2001:db8::12'];
    const answers = await Promise.all(ips.flatMap((ip) => Array.from({ length: 12 }, () => hit(ip).then((r) => ({ ip, r })))));
    for (const ip of ips) {
      const mine = answers.filter((a) => a.ip === ip).map((a) => a.r);
      expect(mine.filter((r) => r.statusCode === 200)).toHaveLength(5);
      const limited = mine.filter((r) => r.statusCode === 429);
      expect(limited).toHaveLength(7);
      for (const r of limited) {
        expect(r.json().error.code).toBe('GATEWAY_ERR_RATE_LIMITED');
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      // What the upstream saw as the client address: the one the gateway resolved.
      for (const r of mine.filter((x) => x.statusCode === 200)) expect(r.json().headers['x-forwarded-for']).toBe(ip);
    }
  });
});
