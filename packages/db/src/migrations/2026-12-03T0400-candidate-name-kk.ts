import type { Kysely } from 'kysely';

// Issue #11: the ballot in the voter's language. Elections, contests, regions and districts
// have Kazakh names; a candidate's name is written differently in Kazakh too (Серікқызы,
// Сериковна), so candidates get theirs. Null: the name is the same in both.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('candidates').addColumn('full_name_kk', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('candidates').dropColumn('full_name_kk').execute();
}
