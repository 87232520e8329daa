import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AdminConfig } from '@primaries/config';
import { buildAdminApp } from '../src/app';
import { Client, type Enrolled, type Harness, STRONG_PASSWORD, adminHarness, enrolStaff, nextCode } from './harness';

/**
 * Staff TOTP secrets are encrypted at rest (AES-256-GCM, ADMIN_TOTP_KEYS): the column never
 * holds the secret; sign-in works; a key that is wrong or missing fails closed; secrets in
 * clear from before (and secrets under an older key) are encrypted under the first key when
 * the service starts.
 */
const key = (id: string) => ({ id, key: randomBytes(32) });
const k1 = key('k1');
const k2 = key('k2');

let h: Harness;
const extra: FastifyInstance[] = [];
beforeAll(async () => {
  h = await adminHarness('admin_totp_rest', { ADMIN_TOTP_KEYS: [k1] });
});
afterAll(async () => {
  for (const app of extra) await app.close();
  await h.close();
});

/** Another admin instance on the same database and Redis, with other keys. */
async function instance(keys: AdminConfig['ADMIN_TOTP_KEYS']): Promise<FastifyInstance> {
  const app = await buildAdminApp({ ...h.config, ADMIN_TOTP_KEYS: keys }, { db: h.tdb.db, redis: h.tr.redis });
  await app.ready();
  extra.push(app);
  return app;
}

async function signInOn(app: FastifyInstance, who: Enrolled, stepsAhead: number) {
  const c = new Client(app);
  await c.fetchCsrf();
  return c.post('/api/v1/auth/sign-in', { login: who.login, password: STRONG_PASSWORD, totp: await nextCode(who.secret, stepsAhead) });
}

const stored = async (id: number) => (await h.tdb.db.selectFrom('staff').select(['totp_secret', 'failed_signins']).where('id', '=', id).executeTakeFirstOrThrow());

it('never stores the secret in clear, and sign-in still works', async () => {
  const who = await enrolStaff(h, 'observer');
  const row = await stored(who.id);
  expect(row.totp_secret).toMatch(/^t1\.k1\.[A-Za-z0-9_-]+$/);
  expect(row.totp_secret).not.toContain(who.secret);
  expect(Buffer.from(row.totp_secret!.split('.')[2]!, 'base64url').toString('latin1')).not.toContain(who.secret);
  expect((await signInOn(h.app, who, 1)).statusCode).toBe(200);
});

it('fails closed with a wrong key (and does not count it against the account)', async () => {
  const who = await enrolStaff(h, 'observer');
  const wrong = await instance([{ id: 'k1', key: randomBytes(32) }]);
  const res = await signInOn(wrong, who, 1);
  expect([res.statusCode, res.json().error.code]).toEqual([401, 'ADMIN_ERR_SIGNIN_FAILED']);
  const missing = await instance([k2]);
  expect((await signInOn(missing, who, 1)).statusCode).toBe(401);
  expect((await stored(who.id)).failed_signins).toBe(0);
  expect((await signInOn(h.app, who, 1)).statusCode).toBe(200);
});

it('refuses one account\'s encrypted secret copied onto another', async () => {
  const victim = await enrolStaff(h, 'organizer');
  const attacker = await enrolStaff(h, 'observer');
  await h.tdb.db.updateTable('staff').set({ totp_secret: (await stored(attacker.id)).totp_secret }).where('id', '=', victim.id).execute();
  const res = await signInOn(h.app, { ...victim, secret: attacker.secret }, 1);
  expect([res.statusCode, res.json().error.code]).toEqual([401, 'ADMIN_ERR_SIGNIN_FAILED']);
});

it('refuses a secret in clear at sign-in, and encrypts it when the service starts', async () => {
  const who = await enrolStaff(h, 'control');
  // As a row from before encryption: the secret in clear.
  await h.tdb.db.updateTable('staff').set({ totp_secret: who.secret }).where('id', '=', who.id).execute();
  expect((await signInOn(h.app, who, 1)).statusCode).toBe(401);
  const restarted = await instance([k1]);
  const row = await stored(who.id);
  expect(row.totp_secret).toMatch(/^t1\.k1\./);
  expect(row.totp_secret).not.toContain(who.secret);
  expect((await signInOn(restarted, who, 1)).statusCode).toBe(200);
});

it('rotates: with a new key first, a start re-encrypts under it and the old key can go', async () => {
  const who = await enrolStaff(h, 'observer');
  expect((await stored(who.id)).totp_secret).toMatch(/^t1\.k1\./);
  await instance([k2, k1]);
  expect((await stored(who.id)).totp_secret).toMatch(/^t1\.k2\./);
  const onlyNew = await instance([k2]);
  expect((await signInOn(onlyNew, who, 1)).statusCode).toBe(200);
});

