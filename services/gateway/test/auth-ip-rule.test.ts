import type { AddressInfo } from 'node:net';
import { loadConfig } from '@primaries/config';
import { buildGatewayApp } from '../src/app';
import { authHarness, type AuthHarness } from '@primaries/vote/testing/auth';

// The one-IP rule: an address that authorized one member is refused for another in the
// same election; the same member may come back; allowlisted addresses are exempt; Postgres
// is the record when Redis has lost the set; and it holds through the real gateway.
describe('one member per address (AUTH_MAX_MEMBERS_PER_IP=1)', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    h = await authHarness('authip', { AUTH_IP_ALLOWLIST: '10.99.0.0/16,192.0.2.7', AUTH_RESEND_SECONDS: '0' });
    await h.startSms();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a second member from an address that authorized the first, and lets the first back in', async () => {
    const a = await h.addMember();
    const b = await h.addMember();
    await h.login(a, '10.40.0.1');
    const second = await h.requestCode(b, '10.40.0.1');
    expect(second.status).toBe(403);
    expect(second.body).toEqual({ error: { code: 'VOTE_ERR_IP_IN_USE', message: expect.any(String) } });
    // The same member again from the same address is fine.
    await h.login(a, '10.40.0.1');
    // The other member from another address is fine.
    await h.login(b, '10.40.0.2');
  });

  it('exempts allowlisted addresses (a polling station) and single allowlisted hosts', async () => {
    const members = await Promise.all([h.addMember(), h.addMember(), h.addMember()]);
    for (const m of members) await h.login(m, '10.99.3.4');
    const x = await h.addMember();
    const y = await h.addMember();
    await h.login(x, '192.0.2.7');
    await h.login(y, '192.0.2.7');
  });

  it('refuses the second of two members who both got codes from one address before either verified', async () => {
    const a = await h.addMember();
    const b = await h.addMember();
    const ra = await h.requestCode(a, '10.40.1.1');
    const rb = await h.requestCode(b, '10.40.1.1');
    expect([ra.status, rb.status]).toEqual([202, 202]);
    const codeA = await h.codeFor(a.phone);
    const codeB = await h.codeFor(b.phone);
    expect((await h.verify(ra.body['challengeId'] as string, codeA, '10.40.1.1')).status).toBe(200);
    const vb = await h.verify(rb.body['challengeId'] as string, codeB, '10.40.1.1');
    expect(vb.status).toBe(403);
    expect(vb.body).toMatchObject({ error: { code: 'VOTE_ERR_IP_IN_USE' } });
  });

  it('keeps the rule when Redis has lost the address set: Postgres authorizations re-seed it', async () => {
    const a = await h.addMember();
    const b = await h.addMember();
    await h.login(a, '10.40.2.1');
    await h.tr.redis.del(`${h.tr.prefix}:auth:ip:${h.el.electionId}:10.40.2.1`);
    // The code request cannot know yet (cold set), but verification consults Postgres.
    const rb = await h.requestCode(b, '10.40.2.1');
    expect(rb.status).toBe(202);
    const code = await h.codeFor(b.phone);
    const vb = await h.verify(rb.body['challengeId'] as string, code, '10.40.2.1');
    expect(vb.status).toBe(403);
    expect(vb.body).toMatchObject({ error: { code: 'VOTE_ERR_IP_IN_USE' } });
    expect(await h.tr.redis.smembers(`${h.tr.prefix}:auth:ip:${h.el.electionId}:10.40.2.1`)).toEqual([a.id]);
  });

  it('ignores X-Forwarded-For from an address that is not a trusted proxy', async () => {
    const a = await h.addMember();
    // inject() comes from 127.0.0.1, trusted by default; a socket from elsewhere is not.
    const headers = { 'x-forwarded-for': '10.40.3.1' };
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/code', remoteAddress: '203.0.113.9', headers, payload: { iin: a.iin, phone: a.phone } });
    expect(res.statusCode).toBe(202);
    const code = await h.codeFor(a.phone);
    const v = await h.app.inject({ method: 'POST', url: '/api/v1/auth/verify', remoteAddress: '203.0.113.9', headers, payload: { challengeId: res.json().challengeId, code } });
    expect(v.statusCode).toBe(200);
    const row = await h.tdb.db.selectFrom('authorizations').select('ip').where('member_id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.ip).toBe('203.0.113.9');
  });
});

describe('the one-IP rule through the real gateway', () => {
  let h: AuthHarness;
  let gateway: Awaited<ReturnType<typeof buildGatewayApp>>;

  beforeAll(async () => {
    h = await authHarness('authgw');
    await h.startSms();
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (h.app.server.address() as AddressInfo).port;
    gateway = await buildGatewayApp(
      loadConfig('gateway', { NODE_ENV: 'test', REDIS_URL: h.tr.url, REDIS_PREFIX: h.tr.prefix, VOTE_UPSTREAM: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent' }),
      { redis: h.tr.redis },
    );
    await gateway.ready();
  });
  afterAll(async () => {
    await gateway?.close();
    await h?.close();
  });

  const viaGateway = (url: string, clientIp: string, payload: object) =>
    gateway.inject({ method: 'POST', url, headers: { host: 'vote.localhost', 'x-forwarded-for': clientIp }, payload });

  it('binds the client address the gateway saw, and refuses a second member from it', async () => {
    const a = await h.addMember();
    const b = await h.addMember();
    const ra = await viaGateway('/api/v1/auth/code', '198.51.100.20', { iin: a.iin, phone: a.phone });
    expect(ra.statusCode).toBe(202);
    const code = await h.codeFor(a.phone);
    const va = await viaGateway('/api/v1/auth/verify', '198.51.100.20', { challengeId: ra.json().challengeId, code });
    expect(va.statusCode).toBe(200);
    const row = await h.tdb.db.selectFrom('authorizations').select('ip').where('member_id', '=', a.id).executeTakeFirstOrThrow();
    expect(row.ip).toBe('198.51.100.20');

    const rb = await viaGateway('/api/v1/auth/code', '198.51.100.20', { iin: b.iin, phone: b.phone });
    expect(rb.statusCode).toBe(403);
    expect(rb.json().error.code).toBe('VOTE_ERR_IP_IN_USE');
    // Another client address through the same gateway is another voter.
    const rb2 = await viaGateway('/api/v1/auth/code', '198.51.100.21', { iin: b.iin, phone: b.phone });
    expect(rb2.statusCode).toBe(202);
  });
});
