import { sql } from 'kysely';
import { createSmallElection } from '@primaries/testing';
import { type Client, type Harness, adminHarness, enrolStaff, signIn } from './harness';

/**
 * Coercion analytics on the console (issue #16): the control committee only; ranked clusters,
 * a CSV of them, and a cluster's sign-ins (member by id, name, organisation; no IIN, no phone).
 */
let h: Harness;
let control: Client;
let organizer: Client;

beforeAll(async () => {
  h = await adminHarness('admin_coercion');
  const e = await createSmallElection(h.tdb.db);
  await sql`insert into members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at)
    select lpad((700000 + g)::text, 12, '0'), '+7705' || lpad(g::text, 7, '0'), 'Staff ' || g, 'M', date '1985-01-01', ${e.regionIds[0]!}::int, ${e.districtIds[0]!}::int,
           case when g <= 8 then 'Factory, Ltd' else 'org-' || g end, date '2020-01-01'
    from generate_series(1, 30) g`.execute(h.tdb.db);
  // Eight staff of one organisation within two minutes (inside one 10-minute bin: bins are fixed) from one office network; the others from homes, over a day.
  await sql`insert into authorizations (election_id, member_id, authorized_at, ip, user_agent)
    select ${e.electionId}, m.id,
           case when m.primary_org = 'Factory, Ltd' then date_bin('10 minutes', now() - interval '1 hour', timestamptz '2000-01-01') + m.id % 8 * interval '15 seconds' else now() - (m.id % 24) * interval '1 hour' end,
           case when m.primary_org = 'Factory, Ltd' then ('172.16.5.' || 1 + m.id % 2)::inet else ('10.1.' || m.id % 30 || '.9')::inet end,
           'Office PC'
    from members m`.execute(h.tdb.db);
  control = await signIn(h, await enrolStaff(h, 'control'));
  organizer = await signIn(h, await enrolStaff(h, 'organizer'));
});
afterAll(async () => h.close());

it('ranks the organisation signed in by one hand first, for the control committee only', async () => {
  const res = await control.get('/api/v1/analytics/coercion?minMembers=5');
  expect(res.statusCode).toBe(200);
  const { clusters } = res.json<{ clusters: { kind: string; key: string; topOrg: string; members: number; score: number }[] }>();
  expect(clusters[0]).toMatchObject({ topOrg: 'Factory, Ltd', members: 8 });
  expect(clusters.filter((c) => c.kind === 'network')[0]).toMatchObject({ key: '172.16.5.0/24', topOrg: 'Factory, Ltd' });
  const refused = await organizer.get('/api/v1/analytics/coercion');
  expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'ADMIN_ERR_FORBIDDEN']);
});

it('exports the clusters as CSV, and drills down into a cluster without IINs or phones', async () => {
  const csv = await control.get('/api/v1/analytics/coercion.csv?minMembers=5');
  expect(csv.statusCode).toBe(200);
  expect(csv.headers['content-type']).toMatch(/^text\/csv/);
  const lines = csv.body.trim().split('\n');
  expect(lines[0]).toBe('kind,key,members,signIns,topOrg,topOrgShare,networks,peakShare,firstAt,lastAt,score');
  expect(lines.some((l) => l.startsWith('network,172.16.5.0/24,8,8,"Factory, Ltd",1,'))).toBe(true);

  const burst = (await control.get('/api/v1/analytics/coercion?minMembers=5')).json<{ clusters: { kind: string; key: string }[] }>().clusters.find((c) => c.kind === 'burst')!;
  const drill = await control.get(`/api/v1/analytics/coercion/sign-ins?kind=burst&key=${encodeURIComponent(burst.key)}`);
  expect(drill.statusCode).toBe(200);
  const { signIns } = drill.json<{ signIns: { org: string; ip: string }[] }>();
  expect(signIns).toHaveLength(8);
  expect(signIns.every((s) => s.org === 'Factory, Ltd' && s.ip.startsWith('172.16.5.'))).toBe(true);
  expect(drill.body).not.toMatch(/\d{12}|\+7705/);
  const net = await control.get(`/api/v1/analytics/coercion/sign-ins?kind=network&key=${encodeURIComponent('172.16.5.0/24')}`);
  expect(net.json<{ signIns: unknown[] }>().signIns).toHaveLength(8);
  const bad = await control.get('/api/v1/analytics/coercion/sign-ins?kind=burst&key=nonsense');
  expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'ADMIN_ERR_VALIDATION']);
});
