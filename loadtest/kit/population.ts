import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '@primaries/db';
import { makeIin } from '@primaries/domain';
import { REHEARSAL_PHONE_PREFIX } from '@primaries/queue';
import { REHEARSAL_ADMITTED } from './rehearsal-election';

/**
 * Synthetic members for a rehearsal: never a real person. Their IINs carry a valid check
 * digit but a birth in the 1800s (century digit 1 or 2), which no living member has; their
 * phones are in the rehearsal range (`+77009…`), the only numbers the rehearsal SMS
 * provider delivers to. Each run tags its members (`primary_org = rehearsal:<run>`) and
 * removes them, with their authorizations and participation, when it ends. They are admitted
 * on 1 January 1900, the day before a rehearsal election's freeze date (rehearsal-election.ts).
 */
const REHEARSAL_ORG = 'rehearsal:';

export interface SyntheticMember {
  id: string;
  iin: string;
  phone: string;
  regionId: number;
  districtId: number;
  /** The client address this member uses for the whole run (the one-IP rule). */
  ip: string;
}

/** The run's tag and its address block: runs at the same time use different members and addresses. */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

/** A distinct private address per member (10.x.y.z), offset per run. */
function memberAddress(runSalt: number, n: number): string {
  const v = ((runSalt + n) % 0xfffffe) + 1;
  return `10.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`;
}

/**
 * Creates `count` synthetic members of the election's places (one row per district that
 * has a district contest, members spread evenly). Rows that collide with an existing IIN
 * or phone are skipped, so fewer may come back than asked.
 */
export async function createSyntheticMembers(db: Kysely<Database>, opts: { runId: string; count: number; electionId: number }): Promise<SyntheticMember[]> {
  let places = (
    await sql<{ region_id: number; district_id: number }>`
      select distinct region_id, district_id from contests
      where election_id = ${opts.electionId} and level = 'district' and district_id is not null`.execute(db)
  ).rows;
  if (places.length === 0) places = (await sql<{ region_id: number; district_id: number }>`select region_id, id as district_id from districts order by id`.execute(db)).rows;
  if (places.length === 0) throw new Error('the election has no places (districts) to put members in');
  const salt = parseInt(opts.runId.slice(0, 6), 16);
  const phoneBase = salt % 1_000_000;
  const rows: Array<{ iin: string; phone: string; region_id: number; district_id: number }> = [];
  const baseDay = Date.UTC(1850, 0, 1);
  for (let k = 0; rows.length < opts.count && k < opts.count * 2 + 100; k++) {
    // One serial range per day: (day, serial) pairs are unique, so IINs are too.
    const day = new Date(baseDay + Math.floor((salt + k) / 9000) * 86_400_000).toISOString().slice(0, 10);
    const iin = makeIin(day, k % 2 ? 'F' : 'M', 1000 + ((salt + k) % 9000));
    if (!iin) continue;
    const place = places[rows.length % places.length]!;
    const phone = `${REHEARSAL_PHONE_PREFIX}${String((phoneBase + rows.length) % 1_000_000).padStart(6, '0')}`;
    rows.push({ iin, phone, region_id: place.region_id, district_id: place.district_id });
  }
  const out: SyntheticMember[] = [];
  for (let i = 0; i < rows.length; i += 5000) {
    const part = rows.slice(i, i + 5000);
    const inserted = await sql<{ id: string; iin: string; phone: string; region_id: number; district_id: number }>`
      insert into members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at)
      select iin, phone, 'Rehearsal member', case when substr(iin, 7, 1) in ('1','3','5') then 'M' else 'F' end, '1950-01-01'::date,
             region_id, district_id, ${REHEARSAL_ORG + opts.runId}, ${REHEARSAL_ADMITTED}::date
      from unnest(${part.map((r) => r.iin)}::text[], ${part.map((r) => r.phone)}::text[], ${part.map((r) => r.region_id)}::int[], ${part.map((r) => r.district_id)}::int[])
        as t(iin, phone, region_id, district_id)
      on conflict do nothing
      returning id, iin, phone, region_id, district_id`.execute(db);
    for (const r of inserted.rows) out.push({ id: String(r.id), iin: r.iin, phone: r.phone, regionId: r.region_id, districtId: r.district_id, ip: memberAddress(salt, out.length) });
  }
  return out;
}

/** Removes a run's synthetic members and every row that names them. Returns how many members went. */
export async function removeSyntheticMembers(db: Kysely<Database>, runId: string): Promise<number> {
  const tag = REHEARSAL_ORG + runId;
  return db.transaction().execute(async (trx) => {
    const ids = sql`(select id from members where primary_org = ${tag})`;
    await sql`delete from authorizations where member_id in ${ids}`.execute(trx);
    await sql`delete from participation where member_id in ${ids}`.execute(trx);
    await sql`delete from complaints where member_id in ${ids}`.execute(trx);
    const r = await sql`delete from members where primary_org = ${tag}`.execute(trx);
    return Number(r.numAffectedRows ?? 0);
  });
}

/** The open election (the rehearsal election on a deployment), or null. */
export async function openElectionId(db: Kysely<Database>): Promise<number | null> {
  const r = await sql<{ id: number }>`select id from elections where opens_at <= now() and closes_at > now() and closed_at is null order by id desc limit 1`.execute(db);
  return r.rows[0]?.id ?? null;
}
