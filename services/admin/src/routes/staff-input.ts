import type { Kysely } from 'kysely';
import { type Database, type StaffRole, pollingStationExists } from '@primaries/db';
import { AdminErrors } from '../errors';

/** A precinct account names an existing polling station; no other role names one. */
export async function checkStation(db: Kysely<Database>, role: StaffRole, stationId: number | null): Promise<void> {
  if ((role === 'precinct') !== (stationId !== null)) throw new AdminErrors.STATION_REQUIRED();
  if (stationId === null) return;
  if (!(await pollingStationExists(db, stationId))) throw new AdminErrors.UNKNOWN_STATION();
}

/** Whether a database error is the staff login's unique constraint. */
export function uniqueLoginViolation(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e.code === '23505' && e.constraint === 'staff_login_key';
}
