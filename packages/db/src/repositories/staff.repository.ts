import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { Staff, StaffRole } from '../tables/staff.table';
import { type AuditEntry, appendAuditEvent } from './audit.repository';

type Db = Kysely<Database> | Transaction<Database>;

/** The roles of the officials' site (issue #12, docs/admin.md). */
export const STAFF_ROLES: readonly StaffRole[] = ['organizer', 'control', 'precinct', 'observer'];

export interface NewStaffAccount {
  login: string;
  role: StaffRole;
  stationId?: number | null;
}

/** Creates an account that cannot sign in until enrolled. */
export async function createStaff(db: Db, account: NewStaffAccount): Promise<Staff> {
  return db
    .insertInto('staff')
    .values({ login: account.login, role: account.role, station_id: account.stationId ?? null, password_hash: null, totp_secret: null, totp_last_step: null, enrolled_at: null, disabled_at: null, locked_until: null })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Stores a one-time enrolment link's token hash (SHA-256 hex) for an account. */
export async function createEnrolment(db: Db, staffId: number, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.insertInto('staff_enrolments').values({ token_hash: tokenHash, staff_id: staffId, expires_at: expiresAt, used_at: null }).execute();
}

/** The account an unused, unexpired enrolment link is for; undefined otherwise. */
export async function findOpenEnrolment(db: Db, tokenHash: string): Promise<Staff | undefined> {
  return db
    .selectFrom('staff_enrolments as e')
    .innerJoin('staff as s', 's.id', 'e.staff_id')
    .selectAll('s')
    .where('e.token_hash', '=', tokenHash)
    .where('e.used_at', 'is', null)
    .where('e.expires_at', '>', sql<Date>`now()`)
    .where('s.disabled_at', 'is', null)
    .executeTakeFirst();
}

/** Uses up an enrolment link: true when it was unused and unexpired (and is now used). */
export async function consumeEnrolment(db: Db, tokenHash: string): Promise<number | undefined> {
  const row = await db
    .updateTable('staff_enrolments')
    .set({ used_at: sql`now()` })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning('staff_id')
    .executeTakeFirst();
  return row?.staff_id;
}

/** Sets the pending TOTP secret shown at enrolment (the account is not enrolled yet). */
export async function setPendingTotpSecret(db: Db, staffId: number, secret: string): Promise<void> {
  await db.updateTable('staff').set({ totp_secret: secret }).where('id', '=', staffId).where('enrolled_at', 'is', null).execute();
}

/** Completes enrolment: the password hash, and the TOTP step used to confirm it (not usable again). */
export async function completeEnrolment(db: Db, staffId: number, passwordHash: string, totpStep: number): Promise<void> {
  await db
    .updateTable('staff')
    .set({ password_hash: passwordHash, totp_last_step: String(totpStep), enrolled_at: sql`now()`, failed_signins: 0, locked_until: null })
    .where('id', '=', staffId)
    .execute();
}

export async function findStaffByLogin(db: Db, login: string): Promise<Staff | undefined> {
  return db.selectFrom('staff').selectAll().where('login', '=', login).executeTakeFirst();
}

export async function findStaffById(db: Db, id: number): Promise<Staff | undefined> {
  return db.selectFrom('staff').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listStaff(db: Db): Promise<Staff[]> {
  return db.selectFrom('staff').selectAll().orderBy('id').execute();
}

/**
 * Counts a failed sign-in; at `lockAfter` failures in a row the account is locked for
 * `lockSeconds` and the count starts again. Returns whether this failure locked it.
 */
export async function recordFailedSignin(db: Db, staffId: number, lockAfter: number, lockSeconds: number): Promise<boolean> {
  const row = await db
    .updateTable('staff')
    .set({
      failed_signins: sql`case when failed_signins + 1 >= ${lockAfter} then 0 else failed_signins + 1 end`,
      locked_until: sql`case when failed_signins + 1 >= ${lockAfter} then now() + make_interval(secs => ${lockSeconds}) else locked_until end`,
    })
    .where('id', '=', staffId)
    .returning(sql<boolean>`failed_signins = 0`.as('locked'))
    .executeTakeFirst();
  return Boolean(row?.locked);
}

/** A successful sign-in: the failure count starts again. */
export async function resetFailedSignins(db: Db, staffId: number): Promise<void> {
  await db.updateTable('staff').set({ failed_signins: 0, locked_until: null }).where('id', '=', staffId).execute();
}

/** Accepts a TOTP time step once: false when this step (or a later one) was already used. */
export async function acceptTotpStep(db: Db, staffId: number, step: number): Promise<boolean> {
  const row = await db
    .updateTable('staff')
    .set({ totp_last_step: String(step) })
    .where('id', '=', staffId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** "Sign out everywhere": every session made before this is no longer valid. Returns the new epoch. */
export async function bumpSessionEpoch(db: Db, staffId: number): Promise<number> {
  const row = await db.updateTable('staff').set({ session_epoch: sql`session_epoch + 1` }).where('id', '=', staffId).returning('session_epoch').executeTakeFirstOrThrow();
  return row.session_epoch;
}

/**
 * Disables an account (its sessions end with it). Refuses ('last-organizer') to disable the
 * last enabled organizer, so the election always has someone to run it. Call in a transaction:
 * the organizers are locked while counted.
 */
export async function disableStaff(trx: Transaction<Database>, staffId: number): Promise<'disabled' | 'already' | 'not-found' | 'last-organizer'> {
  const target = await trx.selectFrom('staff').selectAll().where('id', '=', staffId).forUpdate().executeTakeFirst();
  if (!target) return 'not-found';
  if (target.disabled_at) return 'already';
  if (target.role === 'organizer') {
    const organizers = await trx.selectFrom('staff').select('id').where('role', '=', 'organizer').where('disabled_at', 'is', null).forUpdate().execute();
    if (organizers.length <= 1) return 'last-organizer';
  }
  await trx.updateTable('staff').set({ disabled_at: sql`now()`, session_epoch: sql`session_epoch + 1` }).where('id', '=', staffId).execute();
  return 'disabled';
}

/** SHA-256 (hex) of an enrolment token: what the database keeps. */
export function enrolmentTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface AddedStaff {
  staff: Staff;
  /** The one-time enrolment token (shown once, in the link; only its hash is stored). */
  token: string;
  expiresAt: Date;
}

/**
 * Creates a staff account and its one-time enrolment link, and records it in the audit
 * trail, all in one transaction. `login` defaults to `<role>-<6 hex digits>`.
 */
export async function addStaffAccount(
  db: Kysely<Database>,
  account: { login?: string; role: StaffRole; stationId?: number | null; ttlSeconds: number; actor: AuditEntry['actor']; reason?: string | null },
): Promise<AddedStaff> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + account.ttlSeconds * 1000);
  const login = account.login ?? `${account.role}-${randomBytes(3).toString('hex')}`;
  return db.transaction().execute(async (trx) => {
    const staff = await createStaff(trx, { login, role: account.role, stationId: account.stationId ?? null });
    await createEnrolment(trx, staff.id, enrolmentTokenHash(token), expiresAt);
    await appendAuditEvent(trx, { actor: account.actor, action: 'staff.created', subject: `staff:${staff.id}`, reason: account.reason ?? `role ${staff.role}${staff.station_id ? `, station ${staff.station_id}` : ''}` });
    return { staff, token, expiresAt };
  });
}

/** The enrolment link an account's token makes on the officials' site (the token in the fragment: never sent to a server log or a Referer). */
export function enrolmentLink(publicUrl: string, token: string): string {
  return new URL(`enrol#${token}`, publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`).toString();
}

/** Whether a polling station exists (a precinct account is bound to one). */
export async function pollingStationExists(db: Db, stationId: number): Promise<boolean> {
  return (await db.selectFrom('polling_stations').select('id').where('id', '=', stationId).executeTakeFirst()) !== undefined;
}
