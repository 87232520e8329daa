/**
 * Times the results tally on a 2020-sized dataset: 835,000 members, 730,000 authorized,
 * 662,687 online voters × 3 contests ≈ 2 million ballots, 82,000 paper voters at 643
 * stations, 216 contests, ~10,000 candidates. Builds it with generate_series in a
 * dedicated database (default primaries_tallybench), runs the tally several times,
 * prints the times and writes JSON to loadtest/results/, then drops the database.
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/results-viewers/tally-bench.ts [--runs 5] [--keep] [--scale 0.01]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { createDb, migrateToLatest } from '@primaries/db';
import { buildSnapshot, publishSnapshot } from '@primaries/worker/tally';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    /** A fraction of the 2020 sizes (members, voters, stations), e.g. 0.01 to try the script quickly. */
    scale: { type: 'string', default: '1' },
    database: { type: 'string', default: 'primaries_tallybench' },
    admin: { type: 'string', default: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});

const SCALE = Number(args.scale);
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));
const N = { regions: 17, districtsPerRegion: 11, members: scaled(835_000), authorized: scaled(730_000), onlineVoters: scaled(662_687), paperVoters: scaled(82_000), stations: scaled(643) };

async function admin(q: string) {
  const c = new pg.Client({ connectionString: args.admin });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

async function step(label: string, fn: () => Promise<unknown>) {
  const t = performance.now();
  await fn();
  console.log(`  ${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function main() {
  const url = new URL(args.admin);
  url.pathname = `/${args.database}`;
  const db = createDb({ url: url.toString(), poolMax: 6, applicationName: 'tally-bench' });
  if (!args.reuse) {
    console.log(`building ${args.database} …`);
    await admin(`drop database if exists "${args.database}" with (force)`);
    await admin(`create database "${args.database}"`);
    await migrateToLatest(db);
    await step('places, contests, candidates', async () => {
      await sql`insert into elections (slug, name, name_kk, opens_at, closes_at, freeze_date, election_day)
        values ('bench', 'Bench primaries', 'Праймериз', now() - interval '2 days', now() + interval '1 day', '2026-09-11', (now() + interval '1 day')::date)`.execute(db);
      await sql`insert into regions (code, name) select 'R' || g, 'Region ' || g from generate_series(1, ${N.regions}) g`.execute(db);
      await sql`insert into districts (region_id, code, name, kind)
        select r.id, r.code || 'D' || g, r.name || ' district ' || g, case when g = 1 then 'city' else 'district' end
        from regions r cross join generate_series(1, ${N.districtsPerRegion}) g`.execute(db);
      // 1 national + 17 regional + 187 district contests (216 in 2020; close enough).
      await sql`insert into contests (election_id, level, name, seats, max_choices) select id, 'national', 'National list', 30, 30 from elections`.execute(db);
      await sql`insert into contests (election_id, level, region_id, name, seats, max_choices) select e.id, 'region', r.id, r.name || ' council', 12, 12 from elections e, regions r`.execute(db);
      await sql`insert into contests (election_id, level, region_id, district_id, name, seats, max_choices)
        select e.id, 'district', d.region_id, d.id, d.name || ' council', 10, 10 from elections e, districts d`.execute(db);
      await sql`insert into candidates (contest_id, full_name, gender, birth_date, ballot_order)
        select c.id, 'Candidate ' || c.id || '-' || g, case when g % 3 = 0 then 'F' else 'M' end,
               date '1960-01-01' + (g * 997 % 16000), g
        from contests c cross join generate_series(1, case c.level when 'national' then 120 when 'region' then 50 else 48 end) g`.execute(db);
      await sql`update candidates set status = 'removed', removed_at = now(), removal_reason = 'debates' where id % 300 = 0`.execute(db);
    });
    await step('835,000 members', () =>
      sql`insert into members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at, status)
        select lpad(g::text, 12, '0'), '+7700' || lpad(g::text, 7, '0'), 'Member ' || g, case when g % 2 = 0 then 'F' else 'M' end,
               date '1950-01-01' + (g % 20000), d.region_id, d.id, 'org', date '2015-01-01' + (g % 4000),
               case when g % 50 = 0 then 'expelled' else 'active' end
        from generate_series(1, ${N.members}) g
        join districts d on d.id = 1 + (g % (select count(*) from districts))`.execute(db),
    );
    await step('730,000 authorizations', () =>
      sql`insert into authorizations (election_id, member_id, ip) select (select id from elections), m.id, '10.0.0.1' from members m where m.id <= ${N.authorized}`.execute(db),
    );
    await step('stations', () =>
      sql`insert into polling_stations (election_id, district_id, code, settlement, opens_at, closes_at)
        select (select id from elections), 1 + (g % (select count(*) from districts)), 'PS' || g, 'Aul ' || g, now(), now() + interval '6 hours'
        from generate_series(1, ${N.stations}) g`.execute(db),
    );
    await step('participation (online + paper, 3 contests each)', async () => {
      await sql`create temporary table voter_contests as
        select m.id as member_id, m.district_id, c.id as contest_id
        from members m
        join contests c on c.level = 'national' or (c.level = 'region' and c.region_id = m.region_id) or (c.level = 'district' and c.district_id = m.district_id)
        where m.id <= ${N.onlineVoters + N.paperVoters}`.execute(db);
      await sql`insert into participation (member_id, contest_id, channel, polling_station_id)
        select v.member_id, v.contest_id, case when v.member_id > ${N.onlineVoters} then 'paper' else 'online' end,
               case when v.member_id > ${N.onlineVoters} then (select min(id) from polling_stations) + (v.member_id % ${N.stations})::int end
        from voter_contests v`.execute(db);
    });
    await step('~2,000,000 online ballots', async () => {
      await sql`create temporary table ranges as select contest_id, min(id) as first_id, count(*)::int as n from candidates group by 1`.execute(db);
      // 1–5 marks per ballot, spread over the contest's candidates.
      await sql`insert into ballots (contest_id, marks)
        select v.contest_id,
               (array[r.first_id + (v.member_id * 7) % r.n, r.first_id + (v.member_id * 13 + 1) % r.n, r.first_id + (v.member_id * 31 + 2) % r.n,
                      r.first_id + (v.member_id * 17 + 3) % r.n, r.first_id + (v.member_id * 3 + 4) % r.n])[1:1 + (v.member_id % 5)::int]
        from voter_contests v join ranges r on r.contest_id = v.contest_id
        where v.member_id <= ${N.onlineVoters}`.execute(db);
    });
    await step('paper protocols', async () => {
      await sql`insert into paper_protocols (polling_station_id, contest_id, ballots_issued, ballots_cast, ballots_spoiled, status, entered_by, accepted_at)
        select s.id, c.id, 200, 130, 3, 'accepted', 'precinct', now()
        from polling_stations s join districts d on d.id = s.district_id
        join contests c on c.level = 'national' or (c.level = 'region' and c.region_id = d.region_id) or (c.level = 'district' and c.district_id = d.id)`.execute(db);
      await sql`insert into paper_protocol_votes (protocol_id, candidate_id, votes)
        select p.id, cand.id, (p.id * cand.id) % 40 from paper_protocols p join candidates cand on cand.contest_id = p.contest_id where cand.ballot_order <= 12`.execute(db);
    });
    await step('vacuum analyze', () => sql`vacuum analyze`.execute(db));
  }
  const counts = await sql<{ ballots: number; participation: number; members: number }>`
    select (select count(*) from ballots)::int as ballots, (select count(*) from participation)::int as participation, (select count(*) from members)::int as members`.execute(db);
  console.log('dataset:', counts.rows[0]);

  const redis = new Redis(args.redis, { maxRetriesPerRequest: 3 });
  const prefix = `tallybench_${process.pid}`;
  const runs: Array<{ buildMs: number; publishMs: number; bytes: number }> = [];
  for (let i = 0; i < Number(args.runs); i++) {
    const draft = (await buildSnapshot(db))!;
    const t = performance.now();
    const snap = await publishSnapshot(redis, prefix, draft);
    const publishMs = Math.round(performance.now() - t);
    runs.push({ buildMs: draft.buildMs, publishMs, bytes: JSON.stringify(snap).length });
    console.log(`  run ${i + 1}: tally ${draft.buildMs} ms, publish ${publishMs} ms, snapshot ${(JSON.stringify(snap).length / 1024).toFixed(0)} KB, ${draft.contests.length} contests`);
  }
  const plan = await sql<{ 'QUERY PLAN': string }>`explain (analyze, costs off, timing off)
    select contest_id, candidate_id, count(*)::int as n
    from (select contest_id, unnest(marks) as candidate_id from ballots) m
    group by 1, 2`.execute(db);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await db.destroy();
  if (!args.keep) await admin(`drop database if exists "${args.database}" with (force)`);

  const sorted = runs.map((r) => r.buildMs).sort((a, b) => a - b);
  const summary = { at: new Date().toISOString(), dataset: counts.rows[0], runs, medianBuildMs: sorted[Math.floor(sorted.length / 2)], plan: plan.rows.map((r) => r['QUERY PLAN']) };
  console.log(`median tally: ${summary.medianBuildMs} ms (target ≤ 2000 ms)`);
  console.log(summary.plan.join('\n'));
  const dir = path.join(__dirname, '..', '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `tally-bench-${Date.now()}.json`), JSON.stringify(summary, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
