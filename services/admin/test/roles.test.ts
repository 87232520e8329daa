import { type StaffRole, STAFF_ROLES, addStaffAccount, insertCloseRequest, insertFinalProtocols } from '@primaries/db';
import { makeIin } from '@primaries/domain';
import { type SmallElection, createSmallElection } from '@primaries/testing';
import { addPaperMember, listAt } from './paper-fixtures';
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
  /** For an allowed role, the answer that shows the role got through when no 2xx is possible here (e.g. a station still open). */
  allowedAnswer?: [number, string];
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
  // Coercion analytics (issue #16): the control role only.
  { method: 'GET', path: '/api/v1/analytics/coercion', allowed: ['control'] },
  { method: 'GET', path: '/api/v1/analytics/coercion.csv', allowed: ['control'] },
  { method: 'GET', path: '/api/v1/analytics/coercion/sign-ins', allowed: ['control'], request: async () => ({ url: '/api/v1/analytics/coercion/sign-ins?kind=network&key=10.0.0.0%2F24' }) },
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
  // The election's lifecycle (issue #13): each allowed call gets an election in the phase its step needs.
  { method: 'GET', path: '/api/v1/elections/current/lifecycle', allowed: ['organizer', 'observer', 'control'], request: async (h) => ({ url: `/api/v1/elections/${(await phased(h, 'open')).electionId}/lifecycle`.replace(/\d+\/lifecycle$/, 'current/lifecycle') }) },
  { method: 'GET', path: '/api/v1/elections/{id}/lifecycle', allowed: ['organizer', 'observer', 'control'], request: async (h) => ({ url: `/api/v1/elections/${(await phased(h, 'open')).electionId}/lifecycle` }) },
  { method: 'POST', path: '/api/v1/elections/{id}/schedule', allowed: ['organizer'], request: async (h) => ({ url: `/api/v1/elections/${(await phased(h, 'draft')).electionId}/schedule`, body: { reason: 'role table test' } }) },
  { method: 'POST', path: '/api/v1/elections/{id}/extend', allowed: ['organizer'], request: async (h) => ({ url: `/api/v1/elections/${(await phased(h, 'open')).electionId}/extend`, body: { closesAt: new Date(Date.now() + 86400_000).toISOString(), reason: 'role table test' } }) },
  { method: 'POST', path: '/api/v1/elections/{id}/close-requests', allowed: ['organizer'], request: async (h) => ({ url: `/api/v1/elections/${(await phased(h, 'open')).electionId}/close-requests`, body: { reason: 'role table test' } }) },
  {
    method: 'POST',
    path: '/api/v1/elections/{id}/close-requests/{requestId}/confirm',
    allowed: ['organizer'],
    request: async (h) => {
      const el = await phased(h, 'open');
      const asker = await addStaffAccount(h.tdb.db, { role: 'organizer', ttlSeconds: 60, actor: { role: 'operator', id: 'cli' } });
      const r = await h.tdb.db.transaction().execute((trx) => insertCloseRequest(trx, { electionId: el.electionId, requestedBy: asker.staff.id, reason: 'role table test', expiresAt: new Date(Date.now() + 600_000) }));
      return { url: `/api/v1/elections/${el.electionId}/close-requests/${r.id}/confirm`, body: { reason: 'role table test' } };
    },
  },
  { method: 'POST', path: '/api/v1/elections/{id}/publish', allowed: ['organizer'], request: async (h) => ({ url: `/api/v1/elections/${(await phased(h, 'closed')).electionId}/publish`, body: { reason: 'role table test' } }) },
  ...(['csv', 'pdf'] as const).map((format) => ({
    method: 'GET' as const,
    path: `/api/v1/elections/{id}/contests/{contestId}/protocol.${format}`,
    allowed: ['organizer', 'observer', 'control'] as Who[],
    request: async (h: Harness) => {
      const el = await phased(h, 'closed');
      await insertFinalProtocols(h.tdb.db, [{ electionId: el.electionId, contestId: el.contests.national, format, content: Buffer.from('x'), sha256: 'x', snapshotVersion: 1, snapshotSha256: 'x' }]);
      return { url: `/api/v1/elections/${el.electionId}/contests/${el.contests.national}/protocol.${format}` };
    },
  })),
  // Paper ballots (issue #15): organizers import and follow; each commission works at its own station.
  { method: 'GET', path: '/api/v1/paper/stations', allowed: ['organizer', 'observer'] },
  { method: 'POST', path: '/api/v1/paper/stations/import', allowed: ['organizer'], request: async () => ({ url: '/api/v1/paper/stations/import', body: { csv: await stationsCsv() } }) },
  { method: 'GET', path: '/api/v1/paper/station', allowed: ['precinct'] },
  { method: 'POST', path: '/api/v1/paper/lookup', allowed: ['precinct'], request: async () => ({ url: '/api/v1/paper/lookup', body: { iin: (await listedMember()).iin } }) },
  { method: 'POST', path: '/api/v1/paper/checkins', allowed: ['precinct'], request: async () => ({ url: '/api/v1/paper/checkins', body: { iin: (await listedMember()).iin } }) },
  { method: 'POST', path: '/api/v1/paper/checkins/{id}/hand-over', allowed: ['precinct'], request: async () => ({ url: `/api/v1/paper/checkins/${await checkin()}/hand-over`, body: {} }) },
  { method: 'POST', path: '/api/v1/paper/checkins/{id}/undo', allowed: ['precinct'], request: async () => ({ url: `/api/v1/paper/checkins/${await checkin()}/undo`, body: { reason: 'role table test' } }) },
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
  { method: 'GET', path: '/api/v1/paper/station/protocols', allowed: ['precinct'] },
  { method: 'POST', path: '/api/v1/paper/protocols/entries', allowed: ['precinct'], allowedAnswer: [409, 'ADMIN_ERR_STATION_NOT_CLOSED'], request: async () => ({ url: '/api/v1/paper/protocols/entries', body: { contestId: 1, received: 0, issued: 0, found: 0, spoiled: 0, votes: [] } }) },
  { method: 'POST', path: '/api/v1/paper/protocols/submit', allowed: ['precinct'], allowedAnswer: [409, 'ADMIN_ERR_STATION_NOT_CLOSED'], request: async () => ({ url: '/api/v1/paper/protocols/submit', body: { contestId: 1 } }) },
  { method: 'POST', path: '/api/v1/paper/protocols/scan', allowed: ['precinct'], allowedAnswer: [404, 'ADMIN_ERR_PROTOCOL_NOT_FOUND'], request: async () => ({ url: '/api/v1/paper/protocols/scan', body: { contestId: 1, content: Buffer.from('%PDF-1.4 a scan').toString('base64') } }) },
  { method: 'GET', path: '/api/v1/paper/protocols', allowed: ['organizer', 'observer'] },
  { method: 'POST', path: '/api/v1/paper/protocols/{id}/accept', allowed: ['organizer'], request: async () => ({ url: `/api/v1/paper/protocols/${await submittedProtocol()}/accept`, body: {} }) },
  { method: 'POST', path: '/api/v1/paper/protocols/{id}/return', allowed: ['organizer'], request: async () => ({ url: `/api/v1/paper/protocols/${await submittedProtocol()}/return`, body: { reason: 'role table test' } }) },
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
  // Every case signs in once: more than the per-address sign-in limit allows in 15 minutes,
  // and more requests a minute than the service-wide limit allows.
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
  if (allowed && endpoint.allowedAnswer) {
    expect([res.statusCode, res.json().error.code]).toEqual(endpoint.allowedAnswer);
  } else if (allowed) {
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
let election: SmallElection;
/** A polling station for precinct accounts (one per test file). */
async function station(): Promise<number> {
  if (stationId) return stationId;
  election = await createSmallElection(h.tdb.db);
  electionId = election.electionId;
  const row = await h.tdb.db
    .insertInto('polling_stations')
    .values({ election_id: election.electionId, district_id: election.districtIds[0]!, code: 'S1', settlement: 'Aul', address: null, opens_at: new Date(), closes_at: new Date(Date.now() + 6 * 3600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  stationId = row.id;
  return stationId;
}

/** A fresh election in the phase a lifecycle step needs. */
async function phased(h: Harness, phase: 'draft' | 'open' | 'closed') {
  const hour = 3600_000;
  const now = Date.now();
  const times = { draft: [now + hour, now + 2 * hour], open: [now - hour, now + hour], closed: [now - 2 * hour, now - hour] }[phase];
  const el = await createSmallElection(h.tdb.db, { opensAt: new Date(times[0]!), closesAt: new Date(times[1]!) });
  if (phase === 'draft') await h.tdb.db.updateTable('elections').set({ scheduled_at: null }).where('id', '=', el.electionId).execute();
  return el;
}

/** A fresh member on the station's list (in the station's district). */
async function listedMember(): Promise<{ id: string; iin: string }> {
  const s = await station();
  const m = await addPaperMember(h.tdb.db, election, 0, 0);
  await listAt(h.tdb.db, election, s, [m.id]);
  return m;
}

/** A fresh check-in at the station, not yet handed over. */
async function checkin(): Promise<number> {
  const m = await listedMember();
  const anyStaff = await h.tdb.db.selectFrom('staff').select('id').executeTakeFirstOrThrow();
  const row = await h.tdb.db.insertInto('paper_checkins').values({ election_id: election.electionId, polling_station_id: await station(), member_id: m.id, contest_ids: [election.contests.national], checked_in_by: anyStaff.id, handed_over_at: null }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** A fresh submitted protocol (a station of its own per call: one protocol per station and contest). */
async function submittedProtocol(): Promise<number> {
  await station();
  const s = await h.tdb.db.insertInto('polling_stations').values({ election_id: election.electionId, district_id: election.districtIds[0]!, code: `SUB-${++imported}`, settlement: 'Aul', address: null, opens_at: new Date(Date.now() - 7200_000), closes_at: new Date(Date.now() - 3600_000) }).returning('id').executeTakeFirstOrThrow();
  const p = await h.tdb.db.insertInto('paper_protocols').values({ polling_station_id: s.id, contest_id: election.contests.national, ballots_issued: 0, ballots_cast: 0, entered_by: 'role table', status: 'submitted', accepted_at: null, submitted_at: new Date(), decided_by: null, returned_at: null, return_reason: null }).returning('id').executeTakeFirstOrThrow();
  return p.id;
}

let imported = 0;
/** A one-station CSV in the station's district (the import goes to whichever election opens last). */
async function stationsCsv(): Promise<string> {
  await station();
  const d = await h.tdb.db.selectFrom('districts as d').innerJoin('regions as r', 'r.id', 'd.region_id').select(['d.code as district', 'r.code as region']).where('d.id', '=', election.districtIds[0]!).executeTakeFirstOrThrow();
  imported++;
  return `code,settlement,region,district,address,opens_at,closes_at\nIMP-${imported},Aul,${d.region},${d.district},,2026-10-03T08:00+06:00,2026-10-03T14:00+06:00\n`;
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
