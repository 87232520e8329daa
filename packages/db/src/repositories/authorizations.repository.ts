import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/** Records a successful login: the turnout denominator and the authoritative one-IP record. */
export async function recordAuthorization(
  db: Kysely<Database>,
  row: { electionId: number; memberId: string; ip: string; userAgent: string | null },
): Promise<void> {
  await db
    .insertInto('authorizations')
    .values({ election_id: row.electionId, member_id: row.memberId, ip: row.ip, user_agent: row.userAgent?.slice(0, 512) ?? null })
    .execute();
}

/**
 * Distinct members who authorized in this election from this address, or from any address
 * of this network when given as a CIDR (an IPv6 client's /64). `<<=` uses `authorizations_ip_idx`.
 */
export async function membersAuthorizedFromIp(db: Kysely<Database>, electionId: number, ipOrNetwork: string): Promise<string[]> {
  const rows = await db
    .selectFrom('authorizations')
    .select('member_id')
    .distinct()
    .where('election_id', '=', electionId)
    .where(sql<boolean>`ip <<= ${ipOrNetwork}::inet`)
    .execute();
  return rows.map((r) => r.member_id);
}

/** Distinct members who authorized in this election (turnout's "authorized"). */
export async function countAuthorizedMembers(db: Kysely<Database>, electionId: number): Promise<number> {
  const row = await db
    .selectFrom('authorizations')
    .select((eb) => eb.fn.count<string>('member_id').distinct().as('n'))
    .where('election_id', '=', electionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
