import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records online participation for many (member, contest) pairs in one statement
 * (unnest arrays). Pairs already present — from an earlier try of the same batch, or a
 * paper vote — are skipped; the pairs actually inserted are returned as "member:contest".
 */
export async function insertOnlineParticipation(db: Db, memberIds: readonly string[], contestIds: readonly number[]): Promise<Set<string>> {
  if (memberIds.length === 0) return new Set();
  const { rows } = await sql<{ member_id: string; contest_id: number }>`
    insert into participation (member_id, contest_id, channel)
    select m, c, 'online' from unnest(${[...memberIds]}::bigint[], ${[...contestIds]}::int[]) as t(m, c)
    on conflict (member_id, contest_id) do nothing
    returning member_id, contest_id`.execute(db);
  return new Set(rows.map((r) => `${r.member_id}:${r.contest_id}`));
}

/** Which of a member's contests already have a participation row (online or paper). */
export async function participatedContestIds(db: Db, memberId: string, contestIds: readonly number[]): Promise<number[]> {
  if (contestIds.length === 0) return [];
  const rows = await db
    .selectFrom('participation')
    .select('contest_id')
    .where('member_id', '=', memberId)
    .where('contest_id', 'in', [...contestIds])
    .execute();
  return rows.map((r) => r.contest_id);
}

/** Which of these members exist (the worker's guard against votes for unknown members). */
export async function existingMemberIds(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`select id from members where id = any(${[...ids]}::bigint[])`.execute(db);
  return new Set(rows.map((r) => String(r.id)));
}
