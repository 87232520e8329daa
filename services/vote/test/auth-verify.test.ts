import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { authHarness, expectNoSecrets, type AuthHarness, type TestMember } from './auth-harness';

// POST /api/v1/auth/verify: code checking, lockout, expiry, single use, the token and
// the authorization record. Real Postgres, Redis and SMS worker.
describe('POST /api/v1/auth/verify', () => {
  let h: AuthHarness;
  const secrets: string[] = [];
  let ipN = 0;
  const freshIp = () => `10.30.${Math.floor(ipN / 250)}.${(ipN++ % 250) + 1}`;
  const member = async () => {
    const m = await h.addMember();
    secrets.push(m.iin, m.phone);
    return m;
  };
  const codeRound = async (m: TestMember, ip: string) => {
    const res = await h.requestCode(m, ip);
    expect(res.status).toBe(202);
    const code = await h.codeFor(m.phone);
    secrets.push(code);
    return { challengeId: res.body['challengeId'] as string, code };
  };
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  beforeAll(async () => {
    h = await authHarness('authverify');
    await h.startSms();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('exchanges the right code for a bearer token, records the authorization and binds the address', async () => {
    const m = await member();
    const ip = freshIp();
    const { challengeId, code } = await codeRound(m, ip);
    const v = await h.verify(challengeId, code, ip);
    expect(v.status).toBe(200);
    expect(v.body).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
    secrets.push(v.body['token'] as string);
    const expiresIn = Date.parse(v.body['expiresAt'] as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(3590_000);
    expect(expiresIn).toBeLessThanOrEqual(3600_000);

    const who = await h.app.inject({ method: 'GET', url: '/test/whoami', headers: { authorization: `Bearer ${v.body['token'] as string}` } });
    expect(who.json()).toEqual({ memberId: m.id });

    const rows = await h.tdb.db.selectFrom('authorizations').selectAll().where('member_id', '=', m.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ election_id: h.el.electionId, ip, user_agent: 'auth-test/1.0' });
    expect(await h.tr.redis.smembers(`${h.tr.prefix}:auth:ip:${h.el.electionId}:${ip}`)).toEqual([m.id]);
  });

  it('refuses a used code (single use)', async () => {
    const m = await member();
    const ip = freshIp();
    const { challengeId, code } = await codeRound(m, ip);
    expect((await h.verify(challengeId, code, ip)).status).toBe(200);
    const again = await h.verify(challengeId, code, ip);
    expect(again).toEqual({ status: 410, body: { error: { code: 'VOTE_ERR_CODE_EXPIRED', message: expect.any(String) } } });
  });

  it('lets only one of two concurrent correct answers through', async () => {
    const m = await member();
    const ip = freshIp();
    const { challengeId, code } = await codeRound(m, ip);
    const results = await Promise.all([h.verify(challengeId, code, ip), h.verify(challengeId, code, ip), h.verify(challengeId, code, ip)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 410, 410]);
  });

  it('counts wrong codes down and locks the challenge after AUTH_CODE_MAX_ATTEMPTS (5), even for the right code', async () => {
    const m = await member();
    const ip = freshIp();
    const { challengeId, code } = await codeRound(m, ip);
    for (let left = 4; left >= 1; left--) {
      const r = await h.verify(challengeId, wrong(code), ip);
      expect(r).toEqual({ status: 401, body: { error: { code: 'VOTE_ERR_CODE_INVALID', message: `Wrong code; ${left} attempts left`, remainingAttempts: left } } });
    }
    const fifth = await h.verify(challengeId, wrong(code), ip);
    expect(fifth.status).toBe(403);
    expect(fifth.body).toMatchObject({ error: { code: 'VOTE_ERR_CODE_LOCKED' } });
    const right = await h.verify(challengeId, code, ip);
    expect(right.status).toBe(403);
    expect(right.body).toMatchObject({ error: { code: 'VOTE_ERR_CODE_LOCKED' } });
    expect(await h.tdb.db.selectFrom('authorizations').select('id').where('member_id', '=', m.id).execute()).toEqual([]);
  });

  it('answers an unknown challenge with VOTE_ERR_CODE_EXPIRED and a malformed one with 400', async () => {
    expect((await h.verify('AAAAAAAAAAAAAAAAAAAAAA', '123456')).body).toMatchObject({ error: { code: 'VOTE_ERR_CODE_EXPIRED' } });
    expect((await h.verify('short', '123456')).status).toBe(400);
    expect((await h.verify('AAAAAAAAAAAAAAAAAAAAAA', '12345')).status).toBe(400);
  });

  it('answers 503 + Retry-After and leaves neither a record nor a live token when the record cannot be written', async () => {
    // A constraint that refuses this one user agent stands in for Postgres failing mid-way.
    await sql`alter table authorizations add constraint test_refuse check (user_agent is distinct from 'refuse-me')`.execute(h.tdb.db);
    try {
      const m = await member();
      const ip = freshIp();
      const { challengeId, code } = await codeRound(m, ip);
      const tokensBefore = (await h.tr.redis.keys(`${h.tr.prefix}:token:*`)).length;
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/verify',
        headers: { 'x-forwarded-for': ip, 'user-agent': 'refuse-me' },
        payload: { challengeId, code },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: { code: 'VOTE_ERR_UNAVAILABLE', message: expect.any(String) } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(await h.tdb.db.selectFrom('authorizations').select('id').where('member_id', '=', m.id).execute()).toEqual([]);
      expect(await h.tr.redis.keys(`${h.tr.prefix}:token:*`)).toHaveLength(tokensBefore);
    } finally {
      await sql`alter table authorizations drop constraint test_refuse`.execute(h.tdb.db);
    }
  });

  it('never writes an IIN, a phone number, a code or a token to the logs', () => {
    expect(secrets.length).toBeGreaterThan(10);
    expectNoSecrets(h.logLines, secrets);
  });
});

describe('short lifetimes', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    // Shorter than the schema allows in operation, so the test need not wait minutes.
    h = await authHarness('authttl', {}, { AUTH_CODE_TTL_SECONDS: 1, AUTH_TOKEN_TTL_SECONDS: 1, AUTH_RESEND_SECONDS: 0 });
    await h.startSms();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses a code after its lifetime (AUTH_CODE_TTL_SECONDS)', async () => {
    const m = await h.addMember();
    const res = await h.requestCode(m, '10.31.0.1');
    expect(res.status).toBe(202);
    expect(res.body['expiresInSeconds']).toBe(1);
    const code = await h.codeFor(m.phone);
    await sleep(1200);
    const v = await h.verify(res.body['challengeId'] as string, code, '10.31.0.1');
    expect(v.status).toBe(410);
    expect(v.body).toMatchObject({ error: { code: 'VOTE_ERR_CODE_EXPIRED' } });
  });

  it('a token stops working after AUTH_TOKEN_TTL_SECONDS', async () => {
    const m = await h.addMember();
    const token = await h.login(m, '10.31.0.2');
    const before = await h.app.inject({ method: 'GET', url: '/test/whoami', headers: { authorization: `Bearer ${token}` } });
    expect(before.statusCode).toBe(200);
    await sleep(1200);
    const after = await h.app.inject({ method: 'GET', url: '/test/whoami', headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('VOTE_ERR_UNAUTHORIZED');
  });
});
