import { type StaffRole, STAFF_ROLES, addStaffAccount } from '@primaries/db';
import { makeIin } from '@primaries/domain';
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
  { method: 'GET', path: '/api/v1/election/setup', allowed: ['organizer'], request: async (h) => ({ url: `/api/v1/election/setup?election=${await futureElection(h)}` }) },
  {
    method: 'POST',
    path: '/api/v1/election/import/preview',
    allowed: ['organizer'],
    request: async (h) => ({ url: '/api/v1/election/import/preview', body: { election: await futureElection(h), files: [{ name: 'regions.csv', content: 'code,name_ru\nRLT,Область\n' }] } }),
  },
  {
    method: 'POST',
    path: '/api/v1/election/import',
    allowed: ['organizer'],
    request: async (h) => ({ url: '/api/v1/election/import', body: { election: await futureElection(h), files: [{ name: 'regions.csv', content: 'code,name_ru\nRLT,Область\n' }] } }),
  },
  {
    method: 'POST',
    path: '/api/v1/members/status',
    allowed: ['organizer', 'control'],
    request: async (h) => ({ url: '/api/v1/members/status', body: { iin: await roleTestMember(h), status: 'active', reason: 'role table test' } }),
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
  h = await adminHarness('admin_roles', { ADMIN_SIGNIN_RATE_MAX: 1000 });
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

let stationId: number | undefined;
/** A polling station for precinct accounts (one per test file). */
async function station(): Promise<number> {
  if (stationId) return stationId;
  const election = await createSmallElection(h.tdb.db);
  const row = await h.tdb.db
    .insertInto('polling_stations')
    .values({ election_id: election.electionId, district_id: election.districtIds[0]!, code: 'S1', settlement: 'Aul', address: null, opens_at: new Date(), closes_at: new Date(Date.now() + 6 * 3600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  stationId = row.id;
  return stationId;
}

let futureSlug: string | undefined;
/** An election that has not opened yet (its setup may change), by slug. */
async function futureElection(h: Harness): Promise<string> {
  if (futureSlug) return futureSlug;
  const e = await createSmallElection(h.tdb.db, { opensAt: new Date(Date.now() + 86400_000), closesAt: new Date(Date.now() + 3 * 86400_000) });
  futureSlug = (await h.tdb.db.selectFrom('elections').select('slug').where('id', '=', e.electionId).executeTakeFirstOrThrow()).slug;
  return futureSlug;
}

let memberIin: string | undefined;
/** A register member whose status the role table sets (to what it is: no change, no freeze involved). */
async function roleTestMember(h: Harness): Promise<string> {
  // Every election's membership freeze ended long ago: outside it, organizers may too.
  await h.tdb.db.updateTable('elections').set({ freeze_date: '2026-09-11', freeze_end: '2026-09-12' }).execute();
  if (memberIin) return memberIin;
  await futureElection(h);
  const d = await h.tdb.db.selectFrom('districts').select(['id', 'region_id']).limit(1).executeTakeFirstOrThrow();
  memberIin = makeIin('1975-03-03', 'M', 77)!;
  await h.tdb.db.insertInto('members').values({ iin: memberIin, phone: '+77015550777', full_name: 'R', gender: 'M', birth_date: '1975-03-03', region_id: d.region_id, district_id: d.id, primary_org: 'P', admitted_at: '2000-01-01' }).execute();
  return memberIin;
}
