import { sql } from 'kysely';
import { coercionClusters } from '../src';
import { type SmallElection, type TestDatabase, createSmallElection, createTestDatabase } from '@primaries/testing';

// Issue #16: organisations whose members were signed in by one hand (an employer with its
// staff's codes: many members of one organisation within minutes, from a few addresses of
// one network, on one device) rank in the top 5 among 50,000 honest members, who sign in
// over three days from home networks shared with other organisations, on common phones.
let tdb: TestDatabase;
let el: SmallElection;
const COERCED = ['org-coerced-1', 'org-coerced-2', 'org-coerced-3', 'org-coerced-4', 'org-coerced-5'];

beforeAll(async () => {
  tdb = await createTestDatabase('coercion');
  el = await createSmallElection(tdb.db);
  const [r1, r2] = el.regionIds;
  const [d1, , d3] = el.districtIds;
  // 50,000 honest members in 1,000 organisations; 4,000 home /24 networks; 12 common user agents; 3 days.
  await sql`insert into members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at)
    select lpad(g::text, 12, '0'), '+7700' || lpad(g::text, 7, '0'), 'Member ' || g, 'F', date '1980-01-01',
           case when g % 2 = 0 then ${r1}::int else ${r2}::int end, case when g % 2 = 0 then ${d1}::int else ${d3}::int end, 'org-' || (g * 7919 % 1000), date '2015-01-01'
    from generate_series(1, 50000) g`.execute(tdb.db);
  await sql`insert into authorizations (election_id, member_id, authorized_at, ip, user_agent)
    select ${el.electionId}, m.id, now() - interval '3 days' + (hashint4(m.id::int) % 259200 + 259200) % 259200 * interval '1 second',
           ('10.' || (m.id * 31 % 4000) / 250 || '.' || (m.id * 31 % 4000) % 250 || '.' || 1 + m.id % 250)::inet,
           'Mozilla/5.0 (common phone ' || m.id % 12 || ')'
    from members m`.execute(tdb.db);
  // Five coerced organisations: 20–40 members each, signed in within 10 minutes from 1–3 addresses of one office network, one device.
  for (const [i, org] of COERCED.entries()) {
    const n = 20 + i * 5;
    await sql`insert into members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at)
      select lpad((900000 + ${i} * 1000 + g)::text, 12, '0'), '+7701' || lpad((${i} * 1000 + g)::text, 7, '0'), 'Staff ' || g, 'M', date '1985-01-01', ${r1}::int, ${d1}::int, ${org}, date '2020-01-01'
      from generate_series(1, ${n}) g`.execute(tdb.db);
    await sql`insert into authorizations (election_id, member_id, authorized_at, ip, user_agent)
      select ${el.electionId}, m.id, now() - interval '1 day' + ${i} * interval '3 hours' + (row_number() over (order by m.id)) * interval '15 seconds',
             ('172.16.' || ${i} || '.' || 1 + row_number() over (order by m.id) % ${1 + (i % 3)})::inet, 'Mozilla/5.0 (office PC)'
      from members m where m.primary_org = ${org}`.execute(tdb.db);
  }
  await sql`analyze`.execute(tdb.db);
}, 120_000);
afterAll(async () => {
  await tdb.drop();
});

it('ranks the coerced organisations first among 50,000 honest members', async () => {
  const t = performance.now();
  const clusters = await coercionClusters(tdb.db, el.electionId, { limit: 50 });
  const ms = performance.now() - t;
  // The organisations in the order their first cluster ranks.
  const orgs = [...new Set(clusters.map((c) => c.topOrg))];
  expect(orgs.slice(0, 5).sort()).toEqual(COERCED);
  expect(clusters[0]).toMatchObject({ topOrgShare: 1 });
  for (const kind of ['network', 'burst'] as const) expect(clusters.filter((c) => c.kind === kind).slice(0, 5).map((c) => c.topOrg).sort()).toEqual(COERCED);
  // Honest clusters exist but score far below: a home network mixes organisations and days.
  const honest = clusters.filter((c) => !COERCED.includes(c.topOrg));
  expect(Math.max(...honest.map((c) => c.score))).toBeLessThan(Math.min(...clusters.filter((c) => COERCED.includes(c.topOrg) && c.kind === 'network').map((c) => c.score)));
  expect(ms).toBeLessThan(30_000);
}, 60_000);
