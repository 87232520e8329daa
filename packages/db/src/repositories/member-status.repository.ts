import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { MemberStatus } from '../tables/member.table';

type Db = Kysely<Database> | Transaction<Database>;

/** Every election's freeze as its row says it (freezeWindowOf in @primaries/domain makes the window). */
export async function listFreezeElections(db: Db): Promise<Array<{ freeze_date: string; freeze_end: string | null; closes_at: Date }>> {
  return db.selectFrom('elections').select(['freeze_date', 'freeze_end', 'closes_at']).orderBy('id').execute();
}

/** The member with this IIN, locked for a status change in the caller's transaction (id and status only). */
export async function lockMemberByIin(trx: Transaction<Database>, iin: string): Promise<{ id: string; status: MemberStatus; status_reason: string | null } | undefined> {
  return trx.selectFrom('members').select(['id', 'status', 'status_reason']).where('iin', '=', iin).forUpdate().executeTakeFirst();
}

/** Sets a member's status and the reason recorded for it. */
export async function setMemberStatus(trx: Transaction<Database>, memberId: string, status: MemberStatus, reason: string): Promise<void> {
  await trx.updateTable('members').set({ status, status_reason: reason, updated_at: sql`now()` }).where('id', '=', memberId).execute();
}
