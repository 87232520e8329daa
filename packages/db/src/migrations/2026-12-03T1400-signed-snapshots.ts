import { type Kysely, sql } from 'kysely';

// Issue #16: signed, chained results snapshots. Each published snapshot's signed header is
// kept here (the chain outlives Redis), and a receipt remembers which snapshot (its seq N in
// the election's chain) first counted it: "counted in snapshot N". Neither holds a choice.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('result_snapshots')
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    // The signed header exactly as published (results-model's signedHeaderSchema).
    .addColumn('header', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('result_snapshots_pk', ['election_id', 'seq'])
    .execute();
  await db.schema.alterTable('receipts').addColumn('counted_in', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('receipts').dropColumn('counted_in').execute();
  await db.schema.dropTable('result_snapshots').ifExists().execute();
}
