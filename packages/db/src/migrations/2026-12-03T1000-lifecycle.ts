import { type Kysely, sql } from 'kysely';

// Issue #13, the lifecycle: draft → scheduled → open → closed → published.
// - `scheduled_at`: when an organizer scheduled the election (its pre-open check passed).
//   Null is a draft, whose window never opens. Rows from before (and any row inserted
//   without it, as `pnpm seed` does) are scheduled at once: the default.
// - `election_close_requests`: an early close needs two organizers; one asks, another
//   confirms before the request expires.
// - `protocols`: each contest's final protocol (CSV and PDF), written once at publication.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('elections').addColumn('scheduled_at', 'timestamptz', (c) => c.defaultTo(sql`now()`)).execute();

  await db.schema
    .createTable('election_close_requests')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('requested_by', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('confirmed_by', 'integer', (c) => c.references('staff.id'))
    .addColumn('confirmed_at', 'timestamptz')
    .addCheckConstraint('close_request_two_organizers', sql`confirmed_by is null or confirmed_by <> requested_by`)
    .execute();
  await db.schema.createIndex('election_close_requests_election').on('election_close_requests').column('election_id').execute();

  await db.schema
    .createTable('protocols')
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('csv', 'pdf')`))
    .addColumn('content', 'bytea', (c) => c.notNull())
    // SHA-256 (hex) of content.
    .addColumn('sha256', 'text', (c) => c.notNull())
    // The final snapshot it was made from: its version and SHA-256.
    .addColumn('snapshot_version', 'integer', (c) => c.notNull())
    .addColumn('snapshot_sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('protocols_pk', ['election_id', 'contest_id', 'format'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('protocols').ifExists().execute();
  await db.schema.dropTable('election_close_requests').ifExists().execute();
  await db.schema.alterTable('elections').dropColumn('scheduled_at').execute();
}
