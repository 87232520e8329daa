import { type Kysely, sql } from 'kysely';

// Issue #9, the release's throughput: a receipt changes status three or four times
// (recorded → released → counting → counted), and each change was a full new tuple plus two
// index entries, because `status` was in receipts_open_idx — the release's receipts update
// was a third of its Postgres CPU. Here no index names `status` (nor a predicate on it), so
// those changes are HOT updates (the new version on the same page, no index entry), and
// pages keep room for them (fillfactor 70). The open receipts are still found by an index:
// `open` is derived from the status and changes only when a receipt is counted.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('receipts_open_idx').ifExists().execute();
  await sql`alter table receipts add column open boolean generated always as (status <> 'counted') stored`.execute(db);
  await sql`alter table receipts set (fillfactor = 70)`.execute(db);
  await db.schema.createIndex('receipts_open_contest_idx').on('receipts').column('contest_id').where(sql.ref('open'), '=', sql.lit(true)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('receipts_open_contest_idx').ifExists().execute();
  await sql`alter table receipts reset (fillfactor)`.execute(db);
  await db.schema.alterTable('receipts').dropColumn('open').execute();
  await db.schema.createIndex('receipts_open_idx').on('receipts').columns(['status', 'contest_id']).where(sql.ref('status'), '<>', 'counted').execute();
}
