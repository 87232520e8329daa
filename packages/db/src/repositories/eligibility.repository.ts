import { sql, type Kysely } from 'kysely';
import type { Database } from '../database';

/** What authorization needs of a member: nothing more is read on the hot path. */
export interface MemberForAuth {
  id: string;
  phone: string;
  status: string;
  admitted_at: string;
}

/** The member with this IIN (unique index `members_iin_key`), or undefined. */
export async function findMemberForAuth(db: Kysely<Database>, iin: string): Promise<MemberForAuth | undefined> {
  return db.selectFrom('members').select(['id', 'phone', 'status', 'admitted_at']).where('iin', '=', iin).executeTakeFirst();
}

/** The members with these IINs, each with its IIN (one indexed query for many logins); unknown IINs are absent. */
export async function findMembersForAuth(db: Kysely<Database>, iins: readonly string[]): Promise<Array<MemberForAuth & { iin: string }>> {
  if (iins.length === 0) return [];
  return db.selectFrom('members').select(['iin', 'id', 'phone', 'status', 'admitted_at']).where('iin', 'in', iins).execute();
}

export interface ElectionForAuth {
  id: number;
  freeze_date: string;
  opens_at: Date;
  closes_at: Date;
}

/**
 * The election authorization is for: the one open now (server time), else the next to
 * open, else the most recent. Members authorize ahead of opening, as in 2020.
 */
export async function currentElectionForAuth(db: Kysely<Database>, now: Date = new Date()): Promise<ElectionForAuth | undefined> {
  return db
    .selectFrom('elections')
    .select(['id', 'freeze_date', 'opens_at', 'closes_at'])
    .orderBy(
      sql`case when closed_at is null and opens_at <= ${now} and closes_at > ${now} then 0
               when closed_at is null and opens_at > ${now} then 1 else 2 end`,
    )
    // Within a group, the nearest in time: the latest opened, the next to open, the last closed.
    .orderBy(sql`abs(extract(epoch from (opens_at - ${now}::timestamptz)))`)
    .limit(1)
    .executeTakeFirst();
}

/** A member's registered phone (E.164), for the sign-in notice; undefined when there is no such member. */
export async function findMemberPhone(db: Kysely<Database>, memberId: string | number): Promise<string | undefined> {
  const row = await db.selectFrom('members').select('phone').where('id', '=', String(memberId)).executeTakeFirst();
  return row?.phone;
}
