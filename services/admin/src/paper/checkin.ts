import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import {
  type Database, type PaperCheckin, type Staff, type StationView, appendAuditEvent, createCheckin, deleteCheckin, findMemberCheckin, findMemberForAuth,
  findMemberStation, findStation, insertPaperParticipation, lockCheckin, markHandedOver, participatedContestIds,
} from '@primaries/db';
import { paperWindowState } from '@primaries/domain';
import { claimPaperContests, claimedContests, releasePaperContests } from '@primaries/redis-protocols';
import { PaperErrors } from './errors';

/** What a commission needs of the store: the database and the Redis pre-check of the votes. */
export interface PaperStores {
  db: Kysely<Database>;
  redis: Redis;
  prefix: string;
}

/** The precinct account's own station (every paper action is scoped to it). */
export async function ownStation(db: Kysely<Database>, staff: Staff): Promise<StationView> {
  const station = staff.station_id === null ? undefined : await findStation(db, staff.station_id);
  if (!station) throw new PaperErrors.OTHER_STATION();
  return station;
}

export type ContestState = 'open' | 'voted' | 'paper';

/** A member as the check-in page shows them: never more than the commission needs to hand out ballots. */
export interface MemberAtStation {
  memberId: string;
  fullName: string;
  onList: boolean;
  eligible: boolean;
  contests: Array<{ id: number; name: string; state: ContestState }>;
  checkin: { id: number; handedOver: boolean } | null;
}

/** The member's contests (national, region, district) in an election. */
async function memberContests(db: Kysely<Database>, electionId: number, regionId: number, districtId: number) {
  return db
    .selectFrom('contests')
    .select(['id', 'name'])
    .where('election_id', '=', electionId)
    .where((eb) => eb.or([eb('level', '=', 'national'), eb.and([eb('level', '=', 'region'), eb('region_id', '=', regionId)]), eb.and([eb('level', '=', 'district'), eb('district_id', '=', districtId)])]))
    .orderBy('id')
    .execute();
}

/** Finds a member by IIN for the station's commission: on the list, eligible, each contest's state. */
export async function lookUpMember(s: PaperStores, station: StationView, iin: string): Promise<MemberAtStation> {
  const m = await findMemberForAuth(s.db, iin);
  if (!m) throw new PaperErrors.MEMBER_NOT_FOUND();
  const member = await s.db.selectFrom('members').select(['full_name', 'region_id', 'district_id']).where('id', '=', m.id).executeTakeFirstOrThrow();
  const election = await s.db.selectFrom('elections').select(['freeze_date']).where('id', '=', station.electionId).executeTakeFirstOrThrow();
  const listed = await findMemberStation(s.db, station.electionId, String(m.id));
  const contests = await memberContests(s.db, station.electionId, member.region_id, member.district_id);
  const ids = contests.map((c) => c.id);
  const [participated, claimed, checkin] = await Promise.all([
    participatedContestIds(s.db, String(m.id), ids),
    claimedContests(s.redis, s.prefix, station.electionId, String(m.id)),
    findMemberCheckin(s.db, station.electionId, String(m.id)),
  ]);
  const onPaper = new Set(checkin?.contest_ids ?? []);
  const voted = new Set([...participated, ...claimed]);
  return {
    memberId: String(m.id),
    fullName: member.full_name,
    onList: listed?.id === station.id,
    eligible: m.status === 'active' && m.admitted_at < election.freeze_date,
    contests: contests.map((c) => ({ id: c.id, name: c.name, state: onPaper.has(c.id) ? 'paper' : voted.has(c.id) ? 'voted' : 'open' })),
    checkin: checkin ? { id: checkin.id, handedOver: checkin.handed_over_at !== null } : null,
  };
}

/**
 * "Received a paper ballot" for every contest of the member's place not yet voted. The
 * contests are claimed in the same Redis voted set as online votes (one script, all or
 * none), then written to participation (channel paper) with the check-in and its audit
 * event in one transaction; if Postgres refuses, the claim is given back.
 */
export async function checkIn(s: PaperStores, staff: Staff, station: StationView, iin: string, now = new Date()): Promise<{ checkin: PaperCheckin; contestIds: number[] }> {
  if (paperWindowState(station, now) !== 'open') throw new PaperErrors.STATION_NOT_OPEN();
  const m = await lookUpMember(s, station, iin);
  if (!m.onList) throw new PaperErrors.NOT_ON_LIST();
  if (!m.eligible) throw new PaperErrors.NOT_ELIGIBLE();
  const open = m.contests.filter((c) => c.state === 'open').map((c) => c.id);
  if (m.checkin || open.length === 0) throw new PaperErrors.ALREADY_VOTED(m.contests[0]?.id ?? '');
  const conflict = await claimPaperContests(s.redis, s.prefix, station.electionId, m.memberId, open);
  if (conflict !== null) throw new PaperErrors.ALREADY_VOTED(conflict);
  try {
    const checkin = await s.db.transaction().execute(async (trx) => {
      if (!(await insertPaperParticipation(trx, m.memberId, open, station.id))) throw new PaperErrors.ALREADY_VOTED(open[0]);
      const row = await createCheckin(trx, { electionId: station.electionId, stationId: station.id, memberId: m.memberId, contestIds: open, staffId: staff.id });
      if (!row) throw new PaperErrors.ALREADY_VOTED(open[0]);
      // The trail names the check-in, never the member.
      await appendAuditEvent(trx, { actor: { role: staff.role, id: String(staff.id) }, action: 'paper.checked-in', subject: `paper-checkin:${row.id}`, reason: `station ${station.code}, contests ${open.join(',')}`, electionId: station.electionId });
      return row;
    });
    return { checkin, contestIds: open };
  } catch (err) {
    await releasePaperContests(s.redis, s.prefix, station.electionId, m.memberId, open);
    throw err;
  }
}

/** Locks a check-in of this station (another station's: 403). */
async function ownCheckin(trx: Parameters<typeof lockCheckin>[0], station: StationView, id: number): Promise<PaperCheckin> {
  const c = await lockCheckin(trx, id);
  if (!c) throw new PaperErrors.CHECKIN_NOT_FOUND();
  if (c.polling_station_id !== station.id) throw new PaperErrors.OTHER_STATION();
  return c;
}

/** The ballot is handed over: from now on the check-in stands. */
export async function handOver(s: PaperStores, staff: Staff, station: StationView, id: number): Promise<void> {
  await s.db.transaction().execute(async (trx) => {
    const c = await ownCheckin(trx, station, id);
    if (c.handed_over_at) return;
    await markHandedOver(trx, id);
    await appendAuditEvent(trx, { actor: { role: staff.role, id: String(staff.id) }, action: 'paper.handed-over', subject: `paper-checkin:${id}`, electionId: station.electionId });
  });
}

/** Undoes a check-in before its ballot is handed over (a mistaken member): participation and claim go, the reason stays in the trail. */
export async function undoCheckin(s: PaperStores, staff: Staff, station: StationView, id: number, reason: string): Promise<void> {
  const undone = await s.db.transaction().execute(async (trx) => {
    const c = await ownCheckin(trx, station, id);
    if (c.handed_over_at) throw new PaperErrors.HANDED_OVER();
    await deleteCheckin(trx, c);
    await appendAuditEvent(trx, { actor: { role: staff.role, id: String(staff.id) }, action: 'paper.checkin-undone', subject: `paper-checkin:${id}`, reason, electionId: station.electionId });
    return c;
  });
  await releasePaperContests(s.redis, s.prefix, station.electionId, undone.member_id, undone.contest_ids);
}
