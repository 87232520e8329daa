import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { ElectionCloseRequest } from '../tables/lifecycle.table';

type Db = Kysely<Database> | Transaction<Database>;

/** The columns the lifecycle (issue #13) judges an election by. */
export interface LifecycleElectionRow {
  id: number;
  name: string;
  name_kk: string | null;
  opens_at: Date;
  closes_at: Date;
  opened_at: Date | null;
  closed_at: Date | null;
  scheduled_at: Date | null;
  results_published_at: Date | null;
}

const LIFECYCLE_COLUMNS = ['id', 'name', 'name_kk', 'opens_at', 'closes_at', 'opened_at', 'closed_at', 'scheduled_at', 'results_published_at'] as const;

/** The election's lifecycle columns; undefined when there is no such election. */
export async function findLifecycleElection(db: Db, electionId: number): Promise<LifecycleElectionRow | undefined> {
  return db.selectFrom('elections').select(LIFECYCLE_COLUMNS).where('id', '=', electionId).executeTakeFirst();
}

/** The same, with the row locked until the transaction ends: lifecycle steps on one election go one at a time. */
export async function lockLifecycleElection(trx: Transaction<Database>, electionId: number): Promise<LifecycleElectionRow | undefined> {
  return trx.selectFrom('elections').select(LIFECYCLE_COLUMNS).where('id', '=', electionId).forUpdate().executeTakeFirst();
}

/** The election the console works on: the one opening last (as the tally and `election check` take it). */
export async function currentLifecycleElectionId(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('elections').select('id').orderBy('opens_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return row?.id;
}

/** Sets the election's lifecycle timestamps (the caller has checked the step is allowed, under the row lock). */
export async function updateLifecycle(
  trx: Transaction<Database>,
  electionId: number,
  set: Partial<{ scheduled_at: Date; closes_at: Date; closed_at: Date; results_published_at: Date }>,
): Promise<LifecycleElectionRow> {
  return trx.updateTable('elections').set(set).where('id', '=', electionId).returning(LIFECYCLE_COLUMNS).executeTakeFirstOrThrow();
}

/** The newest early-close request of the election that is neither confirmed nor expired, if any. */
export async function pendingCloseRequest(db: Db, electionId: number, now: Date): Promise<ElectionCloseRequest | undefined> {
  return db
    .selectFrom('election_close_requests')
    .selectAll()
    .where('election_id', '=', electionId)
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Records an organizer's request to close early. */
export async function insertCloseRequest(trx: Transaction<Database>, r: { electionId: number; requestedBy: number; reason: string; expiresAt: Date }): Promise<ElectionCloseRequest> {
  return trx
    .insertInto('election_close_requests')
    .values({ election_id: r.electionId, requested_by: r.requestedBy, reason: r.reason, expires_at: r.expiresAt })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One request of the election, locked until the transaction ends. */
export async function lockCloseRequest(trx: Transaction<Database>, electionId: number, requestId: number): Promise<ElectionCloseRequest | undefined> {
  return trx.selectFrom('election_close_requests').selectAll().where('id', '=', requestId).where('election_id', '=', electionId).forUpdate().executeTakeFirst();
}

/** Marks a request confirmed by a second organizer. */
export async function confirmCloseRequest(trx: Transaction<Database>, requestId: number, confirmedBy: number, at: Date): Promise<ElectionCloseRequest> {
  return trx.updateTable('election_close_requests').set({ confirmed_by: confirmedBy, confirmed_at: at }).where('id', '=', requestId).returningAll().executeTakeFirstOrThrow();
}

/** Online ballots of the election still sealed (recorded, not yet released into the count). */
export async function sealedBallotsOfElection(db: Db, electionId: number): Promise<number> {
  const row = await db
    .selectFrom('sealed_ballots')
    .innerJoin('contests', 'contests.id', 'sealed_ballots.contest_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('contests.election_id', '=', electionId)
    .executeTakeFirst();
  return row?.n ?? 0;
}
