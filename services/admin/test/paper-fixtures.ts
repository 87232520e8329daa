import type { Kysely } from 'kysely';
import type { Database } from '@primaries/db';
import { makeIin } from '@primaries/domain';
import { loadConfig } from '@primaries/config';
import type { SmallElection } from '@primaries/testing';
import type { VotingHarness } from '@primaries/vote/testing';
import { buildAdminApp } from '../src/app';
import type { Harness } from './harness';

let serial = 0;

/** A member with a valid IIN in region r, district d of a small election; returns id and IIN. */
export async function addPaperMember(db: Kysely<Database>, el: SmallElection, r = 0, d = 1, status: 'active' | 'expelled' = 'active'): Promise<{ id: string; iin: string }> {
  for (;;) {
    serial++;
    const iin = makeIin('1980-03-04', 'M', (Date.now() + serial * 7919) % 10000);
    if (!iin || (await db.selectFrom('members').select('id').where('iin', '=', iin).executeTakeFirst())) continue;
    const row = await db
      .insertInto('members')
      .values({ iin, phone: `+7701${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`, full_name: `Paper voter ${serial}`, gender: 'M', birth_date: '1980-03-04', region_id: el.regionIds[r]!, district_id: el.districtIds[r * 2 + d]!, primary_org: 'org', admitted_at: '2025-01-01', status })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: String(row.id), iin };
  }
}

/** A station in district d of region r, open from `opensAt` to `closesAt` (default: open now for two hours). */
export async function addStation(db: Kysely<Database>, el: SmallElection, code: string, r = 0, d = 1, opensAt = new Date(Date.now() - 3600_000), closesAt = new Date(Date.now() + 3600_000)): Promise<number> {
  const row = await db
    .insertInto('polling_stations')
    .values({ election_id: el.electionId, district_id: el.districtIds[r * 2 + d]!, code, settlement: `Village ${code}`, address: 'School 1', opens_at: opensAt, closes_at: closesAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Puts members on a station's list (what `stations import` does with a station,iin file). */
export async function listAt(db: Kysely<Database>, el: SmallElection, stationId: number, memberIds: readonly string[]): Promise<void> {
  await db.insertInto('paper_voters').values(memberIds.map((m) => ({ election_id: el.electionId, member_id: m, polling_station_id: stationId }))).execute();
}

/** The admin app on a voting harness's database and Redis prefix: both channels on one store. */
export async function adminOn(v: VotingHarness): Promise<Harness> {
  const config = loadConfig('admin', { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: v.tdb.url, REDIS_URL: v.tr.url, REDIS_PREFIX: v.tr.prefix, ADMIN_SIGNIN_RATE_MAX: '1000', ADMIN_RATE_LIMIT_MAX: '100000' });
  const app = await buildAdminApp(config, { db: v.tdb.db, redis: v.tr.redis });
  await app.ready();
  return { tdb: v.tdb, tr: v.tr, app, config, close: () => app.close() };
}
