import { type Kysely, sql } from 'kysely';

// Issue #13: the membership freeze is a window, not a day. `freeze_date` stays and is its
// start (eligibility: admitted before it); `freeze_end` is its last day, inclusive. Null: the
// freeze lasts until voting ends (the close's day), as in 2020 (11 Sep until voting ended).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('elections').addColumn('freeze_end', 'date').execute();
  await sql`alter table elections add constraint elections_freeze_window check (freeze_end is null or freeze_end >= freeze_date)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table elections drop constraint if exists elections_freeze_window`.execute(db);
  await db.schema.alterTable('elections').dropColumn('freeze_end').execute();
}
