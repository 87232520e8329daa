import { generate } from 'otplib';
import { sql } from 'kysely';
import { addStaffAccount, listAuditEvents } from '@primaries/db';
import { Client, type Harness, STRONG_PASSWORD, adminHarness, enrolStaff, nextCode, signIn } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await adminHarness('admin_signin', { ADMIN_LOCKOUT_AFTER: 3 });
});
afterAll(async () => h.close());

async function freshClient(): Promise<Client> {
  const c = new Client(h.app);
  await c.fetchCsrf();
  return c;
}

describe('enrolment', () => {
  it('sets a password and TOTP once: the link is single-use', async () => {
    const added = await addStaffAccount(h.tdb.db, { role: 'observer', ttlSeconds: 600, actor: { role: 'operator', id: 'cli' } });
    const c = await freshClient();
    const start = await c.post('/api/v1/enrolment/start', { token: added.token });
    expect(start.statusCode).toBe(200);
    const { totpSecret, qrSvg, otpauthUri } = start.json<{ totpSecret: string; qrSvg: string; otpauthUri: string }>();
    expect(qrSvg).toContain('<svg');
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const done = await c.post('/api/v1/enrolment/complete', { token: added.token, password: STRONG_PASSWORD, totp: await generate({ secret: totpSecret }) });
    expect(done.statusCode).toBe(200);
    const again = await c.post('/api/v1/enrolment/start', { token: added.token });
    expect(again.statusCode).toBe(410);
    expect(again.json().error.code).toBe('ADMIN_ERR_ENROLMENT_INVALID');
    const replay = await c.post('/api/v1/enrolment/complete', { token: added.token, password: STRONG_PASSWORD, totp: await generate({ secret: totpSecret }) });
    expect(replay.statusCode).toBe(410);
  });

  it('refuses an expired link', async () => {
    const added = await addStaffAccount(h.tdb.db, { role: 'observer', ttlSeconds: 600, actor: { role: 'operator', id: 'cli' } });
    await sql`update staff_enrolments set expires_at = now() - interval '1 second' where staff_id = ${added.staff.id}`.execute(h.tdb.db);
    const res = await (await freshClient()).post('/api/v1/enrolment/start', { token: added.token });
    expect(res.statusCode).toBe(410);
  });

  it('refuses a weak password and a wrong code', async () => {
    const added = await addStaffAccount(h.tdb.db, { role: 'control', ttlSeconds: 600, actor: { role: 'operator', id: 'cli' } });
    const c = await freshClient();
    const { totpSecret } = (await c.post('/api/v1/enrolment/start', { token: added.token })).json<{ totpSecret: string }>();
    const weak = await c.post('/api/v1/enrolment/complete', { token: added.token, password: 'password1234', totp: await generate({ secret: totpSecret }) });
    expect(weak.json().error.code).toBe('ADMIN_ERR_WEAK_PASSWORD');
    const wrong = await c.post('/api/v1/enrolment/complete', { token: added.token, password: STRONG_PASSWORD, totp: '000000' === (await generate({ secret: totpSecret })) ? '111111' : '000000' });
    expect(wrong.json().error.code).toBe('ADMIN_ERR_TOTP_INVALID');
  });
});

describe('sign-in', () => {
  it('needs password and TOTP, refuses a wrong or replayed code, and a POST without the CSRF token', async () => {
    const who = await enrolStaff(h, 'control');
    const c = await freshClient();
    const noTotp = await c.post('/api/v1/auth/sign-in', { login: who.login, password: who.password });
    expect(noTotp.statusCode).toBe(400);
    const code = await nextCode(who.secret);
    const noCsrf = await c.post('/api/v1/auth/sign-in', { login: who.login, password: who.password, totp: code }, { csrf: false });
    expect([noCsrf.statusCode, noCsrf.json().error.code]).toEqual([403, 'ADMIN_ERR_CSRF']);
    const wrong = await c.post('/api/v1/auth/sign-in', { login: who.login, password: who.password, totp: code === '123456' ? '654321' : '123456' });
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'ADMIN_ERR_SIGNIN_FAILED']);
    const ok = await c.post('/api/v1/auth/sign-in', { login: who.login, password: who.password, totp: code });
    expect(ok.statusCode).toBe(200);
    expect([ok.headers['set-cookie']].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/^primaries_admin=.*HttpOnly.*SameSite=Strict/)]));
    const replay = await (await freshClient()).post('/api/v1/auth/sign-in', { login: who.login, password: who.password, totp: code });
    expect([replay.statusCode, replay.json().error.code]).toEqual([401, 'ADMIN_ERR_TOTP_REPLAYED']);
    await c.fetchCsrf();
    expect((await c.get('/api/v1/me')).json().staff.login).toBe(who.login);
  });

  it('locks the account after repeated failures, even for the right credentials', async () => {
    const who = await enrolStaff(h, 'observer');
    const c = await freshClient();
    for (let i = 0; i < 2; i++) expect((await c.post('/api/v1/auth/sign-in', { login: who.login, password: 'wrong-password-x', totp: '123456' })).statusCode).toBe(401);
    const third = await c.post('/api/v1/auth/sign-in', { login: who.login, password: 'wrong-password-x', totp: '123456' });
    expect([third.statusCode, third.json().error.code]).toEqual([423, 'ADMIN_ERR_LOCKED']);
    const right = await c.post('/api/v1/auth/sign-in', { login: who.login, password: who.password, totp: await nextCode(who.secret) });
    expect(right.json().error.code).toBe('ADMIN_ERR_LOCKED');
    const events = await listAuditEvents(h.tdb.db);
    expect(events.some((e) => e.action === 'staff.locked' && e.subject === `staff:${who.id}`)).toBe(true);
  });

  it('sign-out everywhere ends every session of the account', async () => {
    const who = await enrolStaff(h, 'organizer');
    const first = await signIn(h, who);
    // A second code of its own: forget the step the first sign-in used.
    await sql`update staff set totp_last_step = null where id = ${who.id}`.execute(h.tdb.db);
    const second = await signIn(h, who, 0);
    expect((await first.get('/api/v1/me')).statusCode).toBe(200);
    expect((await second.post('/api/v1/auth/sign-out-everywhere')).statusCode).toBe(204);
    expect((await first.get('/api/v1/me')).statusCode).toBe(401);
    expect((await second.get('/api/v1/me')).statusCode).toBe(401);
  });
});

describe('sessions', () => {
  it('ends after the idle timeout', async () => {
    const short = await adminHarness('admin_idle', { ADMIN_SESSION_IDLE_SECONDS: 1 });
    try {
      const who = await enrolStaff(short, 'observer');
      const c = await signIn(short, who);
      expect((await c.get('/api/v1/me')).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 1300));
      const res = await c.get('/api/v1/me');
      expect([res.statusCode, res.json().error.code]).toEqual([401, 'ADMIN_ERR_UNAUTHENTICATED']);
    } finally {
      await short.close();
    }
  });
});

describe('staff', () => {
  it('the last organizer cannot disable themself; disabling ends the account\'s sessions', async () => {
    const h2 = await adminHarness('admin_disable');
    try {
      const boss = await enrolStaff(h2, 'organizer');
      const c = await signIn(h2, boss);
      const self = await c.post(`/api/v1/staff/${boss.id}/disable`, { reason: 'leaving' });
      expect([self.statusCode, self.json().error.code]).toEqual([409, 'ADMIN_ERR_LAST_ORGANIZER']);
      const observer = await enrolStaff(h2, 'observer');
      const oc = await signIn(h2, observer);
      expect((await c.post(`/api/v1/staff/${observer.id}/disable`, { reason: 'left the commission' })).statusCode).toBe(200);
      expect((await oc.get('/api/v1/me')).statusCode).toBe(401);
      const added = await c.post('/api/v1/staff', { role: 'precinct' });
      expect(added.json().error.code).toBe('ADMIN_ERR_STATION_REQUIRED');
      const ok = await c.post('/api/v1/staff', { role: 'control', login: 'control-one' });
      expect(ok.statusCode).toBe(201);
      expect(ok.json().enrolmentUrl).toMatch(/^http:\/\/admin\.localhost:8080\/enrol#[A-Za-z0-9_-]{43}$/);
      expect((await c.post('/api/v1/staff', { role: 'control', login: 'control-one' })).json().error.code).toBe('ADMIN_ERR_LOGIN_TAKEN');
    } finally {
      await h2.close();
    }
  });
});
