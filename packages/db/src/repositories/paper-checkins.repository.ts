import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { PaperCheckin } from '../tables/paper-day.table';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records paper participation for a member's contests, all or none: false (and nothing
 * written) when any contest already has a participation row (voted online, or on paper).
 * Call in the check-in's transaction; the primary key (member, contest) is the guard.
 */
export async function insertPaperParticipation(trx: Transaction<Database>, memberId: string, contestIds: readonly number[], stationId: number): Promise<boolean> {
  const { rows } = await sql<{ contest_id: number }>`
    insert into participation (member_id, contest_id, channel, polling_station_id)
    select ${memberId}::bigint, c, 'paper', ${stationId} from unnest(${[...contestIds]}::int[]) as t(c)
    on conflict (member_id, contest_id) do nothing
    returning contest_id`.execute(trx);
  return rows.length === contestIds.length;
}

/** Writes the check-in row; undefined when the member already has one in this election. */
export async function createCheckin(trx: Transaction<Database>, c: { electionId: number; stationId: number; memberId: string; contestIds: readonly number[]; staffId: number }): Promise<PaperCheckin | undefined> {
  return trx
    .insertInto('paper_checkins')
    .values({ election_id: c.electionId, polling_station_id: c.stationId, member_id: c.memberId, contest_ids: [...c.contestIds], checked_in_by: c.staffId, handed_over_at: null })
    .onConflict((oc) => oc.constraint('paper_checkins_member_uq').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** A member's check-in in an election, or undefined. */
export async function findMemberCheckin(db: Db, electionId: number, memberId: string): Promise<PaperCheckin | undefined> {
  return db.selectFrom('paper_checkins').selectAll().where('election_id', '=', electionId).where('member_id', '=', memberId).executeTakeFirst();
}

/** A check-in by id, locked for the transaction's change. */
export async function lockCheckin(trx: Transaction<Database>, id: number): Promise<PaperCheckin | undefined> {
  return trx.selectFrom('paper_checkins').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** The ballot is in the member's hands: the check-in can no longer be undone. */
export async function markHandedOver(trx: Transaction<Database>, id: number): Promise<void> {
  await trx.updateTable('paper_checkins').set({ handed_over_at: sql`now()` }).where('id', '=', id).execute();
}

/** Undoes a check-in not yet handed over: its row and its paper participation go. */
export async function deleteCheckin(trx: Transaction<Database>, c: PaperCheckin): Promise<void> {
  await trx.deleteFrom('participation').where('member_id', '=', c.member_id).where('contest_id', 'in', c.contest_ids).where('channel', '=', 'paper').where('polling_station_id', '=', c.polling_station_id).execute();
  await trx.deleteFrom('paper_checkins').where('id', '=', c.id).execute();
}

/** Paper ballots issued at a station for a contest: its check-ins that include the contest. */
export async function countContestCheckins(db: Db, stationId: number, contestId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from paper_checkins where polling_station_id = ${stationId} and ${contestId} = any(contest_ids)`.execute(db);
  return rows[0]?.n ?? 0;
}
