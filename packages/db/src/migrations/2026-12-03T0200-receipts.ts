import { type Kysely, sql } from 'kysely';

// Issue #9: receipts leave the ballot row. One receipt per contest ballot, in a table of its
// own, written in a transaction of its own (never the one that writes the ballot it stands
// for), and it holds no choice. `ballots` keeps no receipt hash, so a coercer who takes a
// voter's receipt cannot find the ballot behind it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('receipts')
    // SHA-256 of the receipt (the receipt itself is stored nowhere).
    .addColumn('receipt_hash', 'bytea', (c) => c.primaryKey())
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    // recorded: the (sealed) ballot is in Postgres; released: it is in `ballots`;
    // counting → counted: a tally that includes it is being built → has been published.
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('recorded', 'released', 'counting', 'counted')`))
    .execute();
  await db.schema.createIndex('receipts_open_idx').on('receipts').columns(['status', 'contest_id']).where(sql.ref('status'), '<>', 'counted').execute();

  // Which votes of a batch the batch's transaction recorded (indexes into the job's votes),
  // so that a retry after that commit settles the batch's receipts the same way. Written with
  // the participation rows, deleted with the receipts' insert: it never holds a receipt.
  await db.schema
    .createTable('recorded_vote_batches')
    .addColumn('batch_id', 'uuid', (c) => c.primaryKey())
    .addColumn('recorded', sql`integer[]`, (c) => c.notNull())
    .execute();

  await db.schema.dropIndex('ballots_receipt_idx').ifExists().execute();
  await db.schema.alterTable('ballots').dropColumn('receipt_hash').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ballots').addColumn('receipt_hash', 'bytea').execute();
  await db.schema.dropTable('recorded_vote_batches').ifExists().execute();
  await db.schema.dropTable('receipts').ifExists().execute();
}
