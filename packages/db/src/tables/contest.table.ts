import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { DateOnly, Timestamp } from './election.table';

export type ContestLevel = 'national' | 'region' | 'district';
export interface ContestTable {
  id: Generated<number>;
  election_id: number;
  level: ContestLevel;
  region_id: number | null;
  district_id: number | null;
  name: string;
  name_kk: string | null;
  seats: number;
  max_choices: number;
}
export type Contest = Selectable<ContestTable>;
export type NewContest = Insertable<ContestTable>;

export type CandidateStatus = 'active' | 'removed';
export interface CandidateTable {
  id: Generated<number>;
  contest_id: number;
  member_id: string | null;
  full_name: string;
  /** The name as written in Kazakh, when it differs (issue #11). */
  full_name_kk: string | null;
  gender: 'F' | 'M';
  birth_date: DateOnly;
  occupation: string | null;
  ballot_order: number;
  status: Generated<CandidateStatus>;
  removed_at: Timestamp | null;
  removal_reason: string | null;
}
export type Candidate = Selectable<CandidateTable>;
export type NewCandidate = Insertable<CandidateTable>;
export type CandidateUpdate = Updateable<CandidateTable>;
