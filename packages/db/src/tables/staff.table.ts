import type { Generated, Insertable, Selectable } from 'kysely';
import type { Timestamp } from './election.table';

/** What a staff account may do on the officials' site (issue #12). */
export type StaffRole = 'organizer' | 'control' | 'precinct' | 'observer';

export interface StaffTable {
  id: Generated<number>;
  login: string;
  role: StaffRole;
  /** The polling station of a precinct commission member; null for every other role. */
  station_id: number | null;
  password_hash: string | null;
  totp_secret: string | null;
  /** bigint: pg returns it as a string. */
  totp_last_step: string | null;
  enrolled_at: Timestamp | null;
  disabled_at: Timestamp | null;
  failed_signins: Generated<number>;
  locked_until: Timestamp | null;
  session_epoch: Generated<number>;
  created_at: Generated<Timestamp>;
}
export type Staff = Selectable<StaffTable>;
export type NewStaff = Insertable<StaffTable>;

export interface StaffEnrolmentTable {
  token_hash: string;
  staff_id: number;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Generated<Timestamp>;
}
