import { createHash, createHmac } from 'node:crypto';
import { loadConfig } from '@primaries/config';
import { authHarness, type AuthHarness } from './auth-harness';

/**
 * Issue #8, smaller holes in authorization: the metrics were a membership oracle, the code
 * hash was keyed by nothing secret, IPv6 clients escaped the one-IP rule by changing the
 * low 64 bits, and a malformed client address reached Redis, Postgres and the logs.
 */
const PEPPER = 'test-pepper-0123456789abcdef0123456789abcdef';

let h: AuthHarness;
beforeAll(async () => {
  h = await authHarness('authharden', { AUTH_RESEND_SECONDS: '0', AUTH_CODE_PEPPER: PEPPER });
  await h.startSms();
});
afterAll(async () => {
  await h?.close();
});

let n = 0;
const freshIp = () => `10.61.${Math.floor(++n / 250)}.${(n % 250) + 1}`;

it('counts every refusal reason under one outcome: /metrics says nothing of membership', async () => {
  const ok = await h.addMember();
  const expelled = await h.addMember({ status: 'expelled' });
  const late = await h.addMember({ admittedAt: '2026-09-11' });
  const refusals = [
    { iin: h.strangerIin(), phone: h.strangerPhone() },
    { iin: ok.iin, phone: h.strangerPhone() },
    { iin: expelled.iin, phone: expelled.phone },
    { iin: late.iin, phone: late.phone },
  ];
  for (const r of refusals) expect((await h.requestCode(r, freshIp())).status).toBe(403);
  const metrics = (await h.app.inject({ url: '/metrics' })).body;
  const outcomes = [...metrics.matchAll(/^auth_code_requests_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]);
  expect(outcomes).toEqual(expect.arrayContaining([['rejected', 4]]));
  for (const reason of ['not_member', 'phone_mismatch', 'not_active', 'admitted_after_freeze']) expect(metrics).not.toContain(reason);
});

it('keys the code hash with the server pepper: a copy of Redis does not give the code away', async () => {
  const m = await h.addMember();
  const res = await h.requestCode(m, freshIp());
  expect(res.status).toBe(202);
  const challengeId = res.body['challengeId'] as string;
  const code = await h.codeFor(m.phone);
  const stored = await h.tr.redis.hget(`${h.tr.prefix}:auth:ch:${challengeId}`, 'h');
  expect(stored).not.toBe(createHash('sha256').update(`${challengeId}:${code}`).digest('hex'));
  expect(stored).toBe(createHmac('sha256', PEPPER).update(`${challengeId}:${code}`).digest('hex'));
  expect((await h.verify(challengeId, code, freshIp())).status).toBe(200);
});

it('refuses a production configuration without AUTH_CODE_PEPPER (no default secret)', () => {
  const production = { NODE_ENV: 'production', SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://sms.example/send', BALLOT_KEYS: `k:${Buffer.alloc(32).toString('base64')}` };
  expect(() => loadConfig('vote', production)).toThrow(/AUTH_CODE_PEPPER/);
  expect(loadConfig('vote', { ...production, AUTH_CODE_PEPPER: PEPPER }).AUTH_CODE_PEPPER).toBe(PEPPER);
});

it('applies the one-IP rule to an IPv6 client by its /64: another address in the same /64 is the same network', async () => {
  const a = await h.addMember();
  const b = await h.addMember();
  await h.login(a, '2001:db8:61:1::1');
  const same64 = await h.requestCode(b, '2001:db8:61:1:ffff:ffff:ffff:fffe');
  expect(same64.status).toBe(403);
  expect(same64.body).toMatchObject({ error: { code: 'VOTE_ERR_IP_IN_USE' } });
  // Redis lost the sets: the code is issued, but verifying binds again from Postgres's
  // record, which knows the /64 authorized a.
  for (const k of await h.tr.redis.keys(`${h.tr.prefix}:auth:ip:*`)) await h.tr.redis.del(k);
  const again = await h.requestCode(b, '2001:db8:61:1::2');
  expect(again.status).toBe(202);
  const v = await h.verify(again.body['challengeId'] as string, await h.codeFor(b.phone), '2001:db8:61:1::2');
  expect(v.status).toBe(403);
  // Another /64 is another network.
  await h.login(b, '2001:db8:61:2::1');
});

it('refuses a client address that is not an IP with 400, before any store or log sees it', async () => {
  const m = await h.addMember();
  for (const bad of ['garbage-address-x', '999.1.1.1', `${'7'.repeat(2000)}`]) {
    const res = await h.requestCode(m, bad);
    expect({ bad: bad.slice(0, 20), status: res.status, code: (res.body['error'] as { code?: string })?.code }).toEqual({ bad: bad.slice(0, 20), status: 400, code: 'VOTE_ERR_BAD_CLIENT_ADDRESS' });
    expect(h.logLines.some((l) => l.includes(bad))).toBe(false);
    expect(await h.tr.redis.keys(`${h.tr.prefix}:auth:*${bad.slice(0, 20)}*`)).toEqual([]);
  }
  const v = await h.verify('A'.repeat(22), '123456', 'garbage-address-x');
  expect(v.status).toBe(400);
});
