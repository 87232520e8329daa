import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';

// Issue #12: the officials' site is reached on ADMIN_HOST only, never through the vote or results hosts.
describe('the admin host', () => {
  let vote: Upstream;
  let results: Upstream;
  let admin: Upstream;
  let h: Harness;

  beforeAll(async () => {
    vote = await startUpstream('vote');
    results = await startUpstream('results');
    admin = await startUpstream('admin');
    h = await startGateway({ vote: vote.url, results: results.url }, { ADMIN_UPSTREAM: admin.url, RATE_LIMIT_ADMIN_MAX: '3' });
  });
  afterAll(async () => {
    await h.close();
    await Promise.all([vote.close(), results.close(), admin.close()]);
  });

  it('sends ADMIN_HOST to the admin service only, path and query intact', async () => {
    const res = await h.gateway.inject({ method: 'GET', url: '/api/v1/me?x=1', headers: { host: 'Admin.Localhost:8080' } });
    expect(res.json()).toMatchObject({ upstream: 'admin', url: '/api/v1/me?x=1' });
    expect(vote.seen).toHaveLength(0);
    expect(results.seen).toHaveLength(0);
  });

  it('forwards the queue dashboard (Bull Board at /queues: page, assets, API) to the admin service', async () => {
    // From an address of its own each (RATE_LIMIT_ADMIN_MAX is 3 here).
    for (const [i, url] of ['/queues', '/queues/static/js/main.js', '/queues/api/queues?activeQueue=votes'].entries()) {
      const res = await h.gateway.inject({ method: 'GET', url, headers: { host: 'admin.localhost', 'x-forwarded-for': `198.51.100.${i + 1}` } });
      expect(res.json()).toMatchObject({ upstream: 'admin', url });
    }
  });

  it('never reaches the admin service through the vote or results hosts', async () => {
    admin.seen.length = 0;
    for (const host of ['vote.localhost', 'localhost']) {
      for (const url of ['/api/v1/staff', '/api/v1/auth/sign-in', '/__admin/api/v1/me', '/_gateway/__admin/api/v1/me']) {
        await h.gateway.inject({ method: 'GET', url, headers: { host } });
      }
    }
    expect(admin.seen).toHaveLength(0);
  });

  it('applies its own rate limit (RATE_LIMIT_ADMIN_MAX)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await h.gateway.inject({ method: 'GET', url: '/x', headers: { host: 'admin.localhost', 'x-forwarded-for': '203.0.113.9' } })).statusCode);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect((await h.gateway.inject({ method: 'GET', url: '/x', headers: { host: 'vote.localhost', 'x-forwarded-for': '203.0.113.9' } })).statusCode).toBe(200);
  });

  it('refuses a configuration where ADMIN_HOST equals another site\'s host', async () => {
    await expect(startGateway({ vote: vote.url, results: results.url }, { ADMIN_HOST: 'localhost' })).rejects.toThrow(/must differ/);
  });
});
