import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/** A polling station as the console and the vote site show it. */
export interface StationView {
  id: number;
  electionId: number;
  code: string;
  settlement: string;
  address: string | null;
  regionId: number;
  region: string;
  district: string;
  opensAt: Date;
  closesAt: Date;
}

function stations(db: Db) {
  return db
    .selectFrom('polling_stations as s')
    .innerJoin('districts as d', 'd.id', 's.district_id')
    .innerJoin('regions as r', 'r.id', 'd.region_id')
    .select(['s.id', 's.election_id as electionId', 's.code', 's.settlement', 's.address', 'r.id as regionId', 'r.name as region', 'd.name as district', 's.opens_at as opensAt', 's.closes_at as closesAt']);
}

/** One station, or undefined. */
export async function findStation(db: Db, id: number): Promise<StationView | undefined> {
  return stations(db).where('s.id', '=', id).executeTakeFirst();
}

/** The station whose list a member is on in an election, or undefined (votes online). */
export async function findMemberStation(db: Db, electionId: number, memberId: string): Promise<StationView | undefined> {
  return stations(db)
    .innerJoin('paper_voters as v', 'v.polling_station_id', 's.id')
    .where('v.election_id', '=', electionId)
    .where('v.member_id', '=', memberId)
    .executeTakeFirst();
}

/** Each station of an election with its list size, check-ins, and protocols expected / submitted / accepted. */
export async function listStationsProgress(db: Db, electionId: number) {
  const { rows } = await sql<{ id: number; code: string; settlement: string; listed: number; checkedIn: number; submitted: number; accepted: number }>`
    select s.id, s.code, s.settlement,
      (select count(*)::int from paper_voters v where v.polling_station_id = s.id) as "listed",
      (select count(*)::int from paper_checkins c where c.polling_station_id = s.id) as "checkedIn",
      (select count(*)::int from paper_protocols p where p.polling_station_id = s.id and p.status = 'submitted') as "submitted",
      (select count(*)::int from paper_protocols p where p.polling_station_id = s.id and p.status = 'accepted') as "accepted"
    from polling_stations s where s.election_id = ${electionId} order by s.code`.execute(db);
  return rows;
}

/** The contest ids of a station's place: the national list, its region's and its district's councils. */
export async function stationContestIds(db: Db, stationId: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select c.id from contests c
    join polling_stations s on s.id = ${stationId} and c.election_id = s.election_id
    join districts d on d.id = s.district_id
    where c.level = 'national' or (c.level = 'region' and c.region_id = d.region_id) or (c.level = 'district' and c.district_id = d.id)
    order by case c.level when 'national' then 0 when 'region' then 1 else 2 end, c.id`.execute(db);
  return rows.map((r) => r.id);
}

/**
 * Paper progress of an election for the results: stations, protocols expected (a station
 * times the contests of its place) and protocols accepted.
 */
export async function paperProgress(db: Db, electionId: number): Promise<{ stations: number; protocolsExpected: number; protocolsAccepted: number }> {
  const { rows } = await sql<{ stations: number; expected: number; accepted: number }>`
    with s as (select s.id, d.id as district_id, d.region_id from polling_stations s join districts d on d.id = s.district_id where s.election_id = ${electionId})
    select (select count(*)::int from s) as stations,
      (select count(*)::int from s join contests c on c.election_id = ${electionId}
         and (c.level = 'national' or (c.level = 'region' and c.region_id = s.region_id) or (c.level = 'district' and c.district_id = s.district_id))) as expected,
      (select count(*)::int from paper_protocols p join s on s.id = p.polling_station_id where p.status = 'accepted') as accepted`.execute(db);
  const r = rows[0]!;
  return { stations: r.stations, protocolsExpected: r.expected, protocolsAccepted: r.accepted };
}
