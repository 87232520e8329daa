import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { generate } from 'otplib';
import { loadConfig, type AdminConfig } from '@primaries/config';
import { type StaffRole, addStaffAccount } from '@primaries/db';
import { type TestDatabase, type TestRedis, createTestDatabase, createTestRedis } from '@primaries/testing';
import { buildAdminApp } from '../src/app';

export interface Harness {
  tdb: TestDatabase;
  tr: TestRedis;
  app: FastifyInstance;
  config: AdminConfig;
  close(): Promise<void>;
}

/** An admin app on a database and Redis prefix of the test's own. */
export async function adminHarness(label: string, overrides: Partial<AdminConfig> = {}): Promise<Harness> {
  const tdb = await createTestDatabase(label);
  const tr = await createTestRedis(label);
  const config = { ...loadConfig('admin', { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: tdb.url, REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix }), ...overrides };
  const app = await buildAdminApp(config, { db: tdb.db, redis: tr.redis });
  await app.ready();
  return {
    tdb,
    tr,
    app,
    config,
    async close() {
      await app.close();
      await tr.cleanup();
      await tdb.drop();
    },
  };
}

/** A browser-like client over inject(): keeps cookies, sends the CSRF token it fetched. */
export class Client {
  private cookies = new Map<string, string>();
  csrf: string | null = null;
  constructor(private readonly app: FastifyInstance) {}

  async request(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, { csrf = true } = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (csrf && method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await this.app.inject({ method, url, headers, ...(body !== undefined ? { payload: body as object } : {}) });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() <= Date.now()) || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  /** Fetches a CSRF token for the current session (as the console does after each sign-in). */
  async fetchCsrf(): Promise<string> {
    const res = await this.request('GET', '/api/v1/csrf');
    this.csrf = res.json<{ token: string }>().token;
    return this.csrf;
  }

  get(url: string) {
    return this.request('GET', url);
  }
  post(url: string, body?: unknown, opts?: { csrf?: boolean }) {
    return this.request('POST', url, body ?? {}, opts);
  }
}

export const STRONG_PASSWORD = 'velvet-otter-harbour-17';

/** An account enrolled through its link, with what signing in needs. */
export interface Enrolled {
  id: number;
  login: string;
  secret: string;
  password: string;
}

/** Adds an account (as the CLI does) and enrols it through the API. */
export async function enrolStaff(h: Harness, role: StaffRole, opts: { stationId?: number; login?: string } = {}): Promise<Enrolled> {
  const added = await addStaffAccount(h.tdb.db, { role, ...(opts.login ? { login: opts.login } : {}), stationId: opts.stationId ?? null, ttlSeconds: 3600, actor: { role: 'operator', id: 'cli' } });
  const c = new Client(h.app);
  await c.fetchCsrf();
  const start = await c.post('/api/v1/enrolment/start', { token: added.token });
  if (start.statusCode !== 200) throw new Error(`enrolment start: ${start.statusCode} ${start.body}`);
  const secret = start.json<{ totpSecret: string }>().totpSecret;
  const done = await c.post('/api/v1/enrolment/complete', { token: added.token, password: STRONG_PASSWORD, totp: await generate({ secret }) });
  if (done.statusCode !== 200) throw new Error(`enrolment complete: ${done.statusCode} ${done.body}`);
  return { id: added.staff.id, login: added.staff.login, secret, password: STRONG_PASSWORD };
}

/** A code for the next time step (the current one was used at enrolment or a previous sign-in). */
export async function nextCode(secret: string, stepsAhead = 1): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });
}

/** A signed-in client for an enrolled account (uses the code of a later step, so each call needs its own). */
export async function signIn(h: Harness, who: Enrolled, stepsAhead = 1): Promise<Client> {
  const c = new Client(h.app);
  await c.fetchCsrf();
  const res = await c.post('/api/v1/auth/sign-in', { login: who.login, password: who.password, totp: await nextCode(who.secret, stepsAhead) });
  if (res.statusCode !== 200) throw new Error(`sign-in: ${res.statusCode} ${res.body}`);
  await c.fetchCsrf();
  return c;
}
