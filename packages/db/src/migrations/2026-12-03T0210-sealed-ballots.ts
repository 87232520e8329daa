import { type Kysely, sql } from 'kysely';

// Issue #9: the worker records a contest ballot sealed (AES-256-GCM, docs/secrecy.md), with
// no member reference, beside the participation row; a separate release step opens sealed
// ballots and moves them into `ballots` in shuffled groups of at least K per contest, in
// transactions that touch only the group's sealed rows (deleted) and its new ballots.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sealed_ballots')
    // Random, like ballots.id: no sequence that follows arrival order.
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    // Which BALLOT_KEYS entry sealed it (the key itself is never stored).
    .addColumn('key_id', 'text', (c) => c.notNull())
    // iv ‖ ciphertext ‖ tag; the receipt's hash rides inside, never in clear.
    .addColumn('sealed', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sealed_ballots_contest_idx').on('sealed_ballots').column('contest_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sealed_ballots').ifExists().execute();
}
