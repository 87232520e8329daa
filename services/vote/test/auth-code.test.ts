import { authHarness, expectNoSecrets, type AuthHarness, type TestMember } from './auth-harness';

// POST /api/v1/auth/code: eligibility without a membership oracle, the freeze date,
// resend cooldown, hourly limits, input validation. Real Postgres, Redis and SMS worker.
describe('POST /api/v1/auth/code', () => {
  let h: AuthHarness;
  const secrets: string[] = [];
  let ipN = 0;
  const freshIp = () => `10.20.${Math.floor(ipN / 250)}.${(ipN++ % 250) + 1}`;
  const remember = (m: TestMember) => {
    secrets.push(m.iin, m.phone, m.phone.slice(1));
    return m;
  };

  beforeAll(async () => {
    h = await authHarness('authcode', { AUTH_RESEND_SECONDS: '60', AUTH_CODES_PER_IIN_PER_HOUR: '3', AUTH_CODES_PER_IP_PER_HOUR: '4' });
    await h.startSms();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends a code to an eligible member: 202 with the challenge, then the SMS in Kazakh and Russian', async () => {
    const m = remember(await h.addMember());
    const res = await h.requestCode(m, freshIp());
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ challengeId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), expiresInSeconds: 300, resendInSeconds: 60 });
    const code = await h.codeFor(m.phone);
    secrets.push(code);
    const outbox = (await h.app.inject({ method: 'GET', url: `/api/v1/dev/sms?phone=${encodeURIComponent(m.phone)}` })).json();
    expect(outbox.messages).toHaveLength(1);
    expect(outbox.messages[0]).toEqual({ to: m.phone, text: expect.stringContaining(code), sentAt: expect.any(String) });
    expect(outbox.messages[0].text).toMatch(/^Праймериз: код \d{6}.*Праймериз коды: \d{6}/);
    // The code is stored only as a hash.
    const keys = await h.tr.redis.keys(`${h.tr.prefix}:auth:ch:*`);
    const stored = await Promise.all(keys.map((k) => h.tr.redis.hgetall(k)));
    expect(JSON.stringify(stored)).not.toContain(code);
  });

  it('accepts the phone in any usual spelling (8 7xx…, 7xx…, spaces)', async () => {
    const m = remember(await h.addMember());
    const national = m.phone.slice(2);
    const res = await h.requestCode({ iin: m.iin, phone: `8 ${national.slice(0, 3)} ${national.slice(3)}` }, freshIp());
    expect(res.status).toBe(202);
  });

  it('answers a wrong phone, a non-member, expelled, blocked, suspended and post-freeze members with the same 403', async () => {
    const ok = remember(await h.addMember());
    const other = remember(await h.addMember());
    const expelled = remember(await h.addMember({ status: 'expelled' }));
    const blocked = remember(await h.addMember({ status: 'blocked' }));
    const suspended = remember(await h.addMember({ status: 'suspended' }));
    const late = remember(await h.addMember({ admittedAt: '2026-09-11' }));
    const cases = [
      { iin: ok.iin, phone: other.phone }, // someone else's registered phone
      { iin: ok.iin, phone: h.strangerPhone() }, // nobody's phone
      { iin: h.strangerIin(), phone: ok.phone }, // not a member, a member's phone
      { iin: h.strangerIin(), phone: h.strangerPhone() },
      expelled,
      blocked,
      suspended,
      late,
    ];
    const answers = [];
    for (const c of cases) {
      const res = await h.requestCode(c, freshIp());
      answers.push({ status: res.status, body: res.body });
    }
    for (const a of answers) {
      expect(a).toEqual({ status: 403, body: { error: { code: 'VOTE_ERR_AUTH_REJECTED', message: 'Authorization refused' } } });
    }
    // Nothing was sent or stored for any of them.
    for (const m of [ok, other, expelled, blocked, suspended, late]) {
      const outbox = (await h.app.inject({ method: 'GET', url: `/api/v1/dev/sms?phone=${encodeURIComponent(m.phone)}` })).json();
      expect(outbox.messages).toEqual([]);
    }
  });

  it('refusals take about as long as acceptances (no timing oracle)', async () => {
    // Warm the accepted path, then compare medians of the two.
    const time = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const accepted: number[] = [];
    const refused: number[] = [];
    for (let i = 0; i < 8; i++) {
      const m = remember(await h.addMember());
      accepted.push(await time(() => h.requestCode(m, freshIp())));
      refused.push(await time(() => h.requestCode({ iin: h.strangerIin(), phone: h.strangerPhone() }, freshIp())));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(refused)).toBeGreaterThanOrEqual(median(accepted) * 0.5);
  });

  it('uses the freeze date: admitted the day before may authorize, on the day may not', async () => {
    const before = remember(await h.addMember({ admittedAt: '2026-09-10' }));
    const onDay = remember(await h.addMember({ admittedAt: '2026-09-11' }));
    expect((await h.requestCode(before, freshIp())).status).toBe(202);
    expect((await h.requestCode(onDay, freshIp())).status).toBe(403);
  });

  it('refuses a resend inside the cooldown with 429 and Retry-After', async () => {
    const m = remember(await h.addMember());
    expect((await h.requestCode(m, freshIp())).status).toBe(202);
    const again = await h.requestCode(m, freshIp());
    expect(again.status).toBe(429);
    expect(again.body).toEqual({ error: { code: 'VOTE_ERR_RESEND_TOO_SOON', message: expect.any(String) } });
    const wait = Number(again.headers['retry-after']);
    expect(wait).toBeGreaterThan(50);
    expect(wait).toBeLessThanOrEqual(60);
  });

  it('limits codes per member per hour (AUTH_CODES_PER_IIN_PER_HOUR) with 429 and Retry-After', async () => {
    const m = remember(await h.addMember());
    for (let i = 0; i < 3; i++) {
      expect((await h.requestCode(m, freshIp())).status).toBe(202);
      // Skip the cooldown, keep the hourly count.
      await h.tr.redis.del(`${h.tr.prefix}:auth:cool:${m.id}`);
    }
    const fourth = await h.requestCode(m, freshIp());
    expect(fourth.status).toBe(429);
    expect(fourth.body.error).toMatchObject({ code: 'VOTE_ERR_CODE_LIMIT' });
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(3500);
  });

  it('limits code requests per address per hour (AUTH_CODES_PER_IP_PER_HOUR), members or not', async () => {
    const ip = freshIp();
    for (let i = 0; i < 4; i++) {
      expect((await h.requestCode({ iin: h.strangerIin(), phone: h.strangerPhone() }, ip)).status).toBe(403);
    }
    const m = remember(await h.addMember());
    const fifth = await h.requestCode(m, ip);
    expect(fifth.status).toBe(429);
    expect(fifth.body.error).toMatchObject({ code: 'VOTE_ERR_CODE_LIMIT' });
    expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(3500);
  });

  it.each([
    ['a bad IIN check digit', { iin: '791028302729', phone: '+77011234567' }],
    ['an IIN of 11 digits', { iin: '79102830272', phone: '+77011234567' }],
    ['a non-Kazakh number', { iin: '791028302728', phone: '+79161234567' }],
    ['a landline', { iin: '791028302728', phone: '+77172123456' }],
    ['a missing phone', { iin: '791028302728' }],
  ])('answers 400 VOTE_ERR_VALIDATION for %s', async (_label, payload) => {
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/auth/code', headers: { 'x-forwarded-for': freshIp() }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VOTE_ERR_VALIDATION');
  });

  it('answers 400 on the dev outbox for a malformed number', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/dev/sms?phone=12345' });
    expect(res.statusCode).toBe(400);
  });

  it('never writes an IIN, a phone number or a code to the logs', async () => {
    expect(h.logLines.length).toBeGreaterThan(10);
    expect(secrets.length).toBeGreaterThan(20);
    expectNoSecrets(h.logLines, secrets);
  });
});
