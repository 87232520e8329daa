import { type Kysely, sql } from 'kysely';

/**
 * Party control (issue #14): complaints get a subject, a tracking number, a contact, an
 * assignee and notes; evidence files are stored in Postgres with their SHA-256; a member's
 * block lives in a table of its own (so a re-import of the register, which rewrites
 * `members.status`, never lifts it); every decision is a row the public record is read from.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table complaints drop constraint if exists complaints_source_check`.execute(db);
  await db.schema
    .alterTable('complaints')
    .addColumn('tracking', 'text')
    .addColumn('subject_kind', 'text', (c) => c.notNull().defaultTo('process').check(sql`subject_kind in ('candidate', 'member', 'station', 'contest', 'process')`))
    .addColumn('station_id', 'integer', (c) => c.references('polling_stations.id'))
    .addColumn('contest_id', 'integer', (c) => c.references('contests.id'))
    .addColumn('contact', 'text')
    .addColumn('assignee_id', 'integer', (c) => c.references('staff.id'))
    .addColumn('decision_kind', 'text', (c) => c.check(sql`decision_kind in ('remove_candidate', 'block_member', 'refer', 'dismiss')`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`update complaints set tracking = 'C' || lpad(id::text, 9, '0') where tracking is null`.execute(db);
  await sql`alter table complaints alter column tracking set not null`.execute(db);
  await sql`alter table complaints add constraint complaints_source_check check (source in ('hotline', 'email', 'web', 'member', 'observer'))`.execute(db);
  await db.schema.createIndex('complaints_tracking').unique().on('complaints').column('tracking').execute();
  await db.schema.createIndex('complaints_status').on('complaints').columns(['election_id', 'status', 'received_at']).execute();

  await db.schema
    .createTable('complaint_evidence')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('complaint_id', 'integer', (c) => c.notNull().references('complaints.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull().check(sql`media_type in ('application/pdf', 'image/jpeg', 'image/png')`))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('complaint_evidence_complaint').on('complaint_evidence').column('complaint_id').execute();

  await db.schema
    .createTable('complaint_notes')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('complaint_id', 'integer', (c) => c.notNull().references('complaints.id').onDelete('cascade'))
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('control_decisions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('complaint_id', 'integer', (c) => c.references('complaints.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('remove_candidate', 'restore_candidate', 'block_member', 'refer', 'dismiss')`))
    .addColumn('candidate_id', 'integer', (c) => c.references('candidates.id'))
    .addColumn('member_id', 'bigint', (c) => c.references('members.id'))
    .addColumn('reason_code', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('control_decisions_election').on('control_decisions').columns(['election_id', 'decided_at']).execute();

  await db.schema
    .createTable('member_blocks')
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('member_id', 'bigint', (c) => c.notNull().references('members.id'))
    .addColumn('decision_id', 'integer', (c) => c.notNull().references('control_decisions.id'))
    .addColumn('blocked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('member_blocks_pkey', ['election_id', 'member_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['member_blocks', 'control_decisions', 'complaint_notes', 'complaint_evidence']) await db.schema.dropTable(t).ifExists().execute();
  await sql`alter table complaints drop constraint if exists complaints_source_check`.execute(db);
  await db.schema.alterTable('complaints').dropColumn('tracking').dropColumn('subject_kind').dropColumn('station_id').dropColumn('contest_id').dropColumn('contact').dropColumn('assignee_id').dropColumn('decision_kind').dropColumn('updated_at').execute();
  await sql`alter table complaints add constraint complaints_source_check check (source in ('hotline', 'email', 'web', 'observer'))`.execute(db);
}
