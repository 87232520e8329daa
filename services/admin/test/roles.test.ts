import { type StaffRole, STAFF_ROLES, addStaffAccount } from '@primaries/db';
import { createSmallElection } from '@primaries/testing';
import { Client, type Harness, adminHarness, enrolStaff, signIn } from './harness';

/**
 * The role × endpoint table (issue #12): every endpoint that needs a session, tried by every
 * role and by nobody; each combination is either allowed or refused, and the table must
 * name every route the service documents (a new endpoint fails here until it is added).
 */
type Who = StaffRole | 'anonymous';
interface Endpoint {
  method: 'GET' | 'POST';
  /** Path as in the OpenAPI document. */
  path: string;
  allowed: readonly Who[] | 'anyone';
  /** The request to send (a fresh target where the endpoint changes something). */
  request?: (h: Harness) => Promise<{ url: string; body?: unknown }>;
}

const SIGNED_IN = STAFF_ROLES;
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: '/api/v1/me', allowed: SIGNED_IN },
  { method: 'POST', path: '/api/v1/auth/sign-out', allowed: SIGNED_IN },
  { method: 'POST', path: '/api/v1/auth/sign-out-everywhere', allowed: SIGNED_IN },
  { method: 'GET', path: '/api/v1/staff', allowed: ['organizer'] },
  { method: 'GET', path: '/api/v1/dashboard', allowed: ['organizer'] },
  { method: 'GET', path: '/api/v1/audit/latest', allowed: SIGNED_IN },
  { method: 'POST', path: '/api/v1/staff', allowed: ['organizer'], request: async () => ({ url: '/api/v1/staff', body: { role: 'observer' } }) },
  {
    method: 'POST',
    path: '/api/v1/staff/{id}/disable',
    allowed: ['organizer'],
    request: async (h) => {
      const target = await addStaffAccount(h.tdb.db, { role: 'observer', ttlSeconds: 60, actor: { role: 'operator', id: 'cli' } });
      return { url: `/api/v1/staff/${target.staff.id}/disable`, body: { reason: 'role table test' } };
    },
  },
  // Party control (issue #14): the control role only.
  { method: 'GET', path: '/api/v1/control/complaints', allowed: ['control'] },
  { method: 'GET', path: '/api/v1/control/complaints/{id}', allowed: ['control'], request: async (h) => ({ url: `/api/v1/control/complaints/${await complaint(h)}` }) },
  {
    method: 'GET',
    path: '/api/v1/control/complaints/{id}/evidence/{evidenceId}',
    allowed: ['control'],
    request: async (h) => {
      const id = await complaint(h);
      const e = await h.tdb.db.insertInto('complaint_evidence').values({ complaint_id: id, file_name: 'a.pdf', media_type: 'application/pdf', size: 4, sha256: '0'.repeat(64), bytes: Buffer.from('%PDF') }).returning('id').executeTakeFirstOrThrow();
      return { url: `/api/v1/control/complaints/${id}/evidence/${e.id}` };
    },
  },
  { method: 'POST', path: '/api/v1/control/complaints', allowed: ['control'], request: async (h) => (await complaint(h), { url: '/api/v1/control/complaints', body: { source: 'hotline', subject: { kind: 'process' }, category: 'other', text: 'A caller reports something odd.' } }) },
  { method: 'POST', path: '/api/v1/control/complaints/{id}/assign', allowed: ['control'], request: async (h) => ({ url: `/api/v1/control/complaints/${await complaint(h)}/assign`, body: {} }) },
  { method: 'POST', path: '/api/v1/control/complaints/{id}/notes', allowed: ['control'], request: async (h) => ({ url: `/api/v1/control/complaints/${await complaint(h)}/notes`, body: { text: 'checked' } }) },
  { method: 'POST', path: '/api/v1/control/complaints/{id}/decision', allowed: ['control'], request: async (h) => ({ url: `/api/v1/control/complaints/${await complaint(h)}/decision`, body: { kind: 'refer', text: 'Referred to the ethics commission.' } }) },
  {
    method: 'POST',
    path: '/api/v1/control/candidates/{id}/restore',
    allowed: ['control'],
    request: async (h) => {
      await complaint(h);
      const cand = await h.tdb.db.updateTable('candidates').set({ status: 'removed', removed_at: new Date(), removal_reason: 'withdrew' }).where('status', '=', 'active').where('id', '=', h.tdb.db.selectFrom('candidates').select((eb) => eb.fn.min('id').as('id')).where('status', '=', 'active')).returning('id').executeTakeFirstOrThrow();
      return { url: `/api/v1/control/candidates/${cand.id}/restore`, body: { text: 'Reversed on appeal.' } };
    },
  },
  // Public: no session needed (they refuse bad input on their own terms, tested elsewhere).
  { method: 'GET', path: '/api/v1/csrf', allowed: 'anyone' },
  { method: 'POST', path: '/api/v1/auth/sign-in', allowed: 'anyone' },
  { method: 'POST', path: '/api/v1/enrolment/start', allowed: 'anyone' },
  { method: 'POST', path: '/api/v1/enrolment/complete', allowed: 'anyone' },
];

let h: Harness;
beforeAll(async () => {
  // Every case signs in once: more than the per-address sign-in limit allows in 15 minutes.
  h = await adminHarness('admin_roles', { ADMIN_SIGNIN_RATE_MAX: 1000, ADMIN_RATE_LIMIT_MAX: 100_000 });
});
afterAll(async () => h.close());

it('names every documented route', async () => {
  const spec = (await h.app.inject({ url: '/docs/json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
  const documented = Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  expect(documented.sort()).toEqual(ENDPOINTS.map((e) => `${e.method} ${e.path}`).sort());
});

const cases = ENDPOINTS.filter((e) => e.allowed !== 'anyone').flatMap((e) => (['anonymous', ...STAFF_ROLES] as Who[]).map((who) => [e.method, e.path, who, e] as const));

it.each(cases)('%s %s as %s', async (_method, _path, who, endpoint) => {
  let client: Client;
  if (who === 'anonymous') {
    client = new Client(h.app);
    await client.fetchCsrf();
  } else {
    const account = await enrolStaff(h, who, who === 'precinct' ? { stationId: await station() } : {});
    client = await signIn(h, account);
  }
  const { url, body } = endpoint.request ? await endpoint.request(h) : { url: endpoint.path, body: undefined };
  const res = endpoint.method === 'GET' ? await client.get(url) : await client.post(url, body);
  const allowed = (endpoint.allowed as readonly Who[]).includes(who);
  if (allowed) {
    expect({ status: res.statusCode, ok: res.statusCode < 300 }).toEqual({ status: res.statusCode, ok: true });
  } else {
    const want = who === 'anonymous' ? [401, 'ADMIN_ERR_UNAUTHENTICATED'] : [403, 'ADMIN_ERR_FORBIDDEN'];
    expect([res.statusCode, res.json().error.code]).toEqual(want);
  }
});

/** A fresh complaint in the test's election (one election per test file). */
async function complaint(h: Harness): Promise<number> {
  await station();
  const { fileComplaint } = await import('./control-fixtures');
  return (await fileComplaint(h.tdb.db, electionId!, { kind: 'process' })).id;
}

let electionId: number | undefined;
let stationId: number | undefined;
/** A polling station for precinct accounts (one per test file). */
async function station(): Promise<number> {
  if (stationId) return stationId;
  const election = await createSmallElection(h.tdb.db);
  electionId = election.electionId;
  const row = await h.tdb.db
    .insertInto('polling_stations')
    .values({ election_id: election.electionId, district_id: election.districtIds[0]!, code: 'S1', settlement: 'Aul', address: null, opens_at: new Date(), closes_at: new Date(Date.now() + 6 * 3600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  stationId = row.id;
  return stationId;
}
