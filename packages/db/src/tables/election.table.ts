import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Dates come back from pg as Date; date-only columns are kept as 'YYYY-MM-DD' strings (see database.ts). */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type DateOnly = ColumnType<string, string, string>;

export interface ElectionTable {
  id: Generated<number>;
  slug: string;
  name: string;
  name_kk: string | null;
  opens_at: Timestamp;
  closes_at: Timestamp;
  opened_at: Timestamp | null;
  closed_at: Timestamp | null;
  results_published_at: Timestamp | null;
  /** When an organizer scheduled it (issue #13); null: a draft, whose window never opens. Defaults to now() on insert. */
  scheduled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The membership freeze's first day (eligibility: admitted before it). */
  freeze_date: DateOnly;
  /** The freeze's last day, inclusive; null: until voting ends (the close's day). */
  freeze_end: DateOnly | null;
  election_day: DateOnly;
  results_refresh_seconds: Generated<number>;
  created_at: Generated<Timestamp>;
}
export type Election = Selectable<ElectionTable>;
export type NewElection = Insertable<ElectionTable>;
export type ElectionUpdate = Updateable<ElectionTable>;
