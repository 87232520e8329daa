import type { Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';
import type { DateOnly, Timestamp } from './election.table';

export type MemberStatus = 'active' | 'expelled' | 'blocked' | 'suspended';
/** bigint ids come back from pg as strings. */
export type BigId = string;

export interface MemberTable {
  id: GeneratedAlways<BigId>;
  iin: string;
  phone: string;
  full_name: string;
  gender: 'F' | 'M';
  birth_date: DateOnly;
  region_id: number;
  district_id: number;
  primary_org: string;
  admitted_at: DateOnly;
  status: Generated<MemberStatus>;
  status_reason: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}
export type Member = Selectable<MemberTable>;
export type NewMember = Insertable<MemberTable>;
export type MemberUpdate = Updateable<MemberTable>;

export interface AuthorizationTable {
  id: GeneratedAlways<BigId>;
  election_id: number;
  member_id: string;
  authorized_at: Generated<Timestamp>;
  ip: string;
  user_agent: string | null;
}
export type Authorization = Selectable<AuthorizationTable>;
export type NewAuthorization = Insertable<AuthorizationTable>;
