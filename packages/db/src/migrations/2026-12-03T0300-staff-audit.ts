import { type Kysely, sql } from 'kysely';

// Issue #12: the officials' site. Staff accounts (password + TOTP, roles), one-time
// enrolment links, and the audit trail's hash chain.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('staff')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('login', 'text', (c) => c.notNull().unique().check(sql`login ~ '^[a-z0-9._-]{3,64}$'`))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('organizer', 'control', 'precinct', 'observer')`))
    .addColumn('station_id', 'integer', (c) => c.references('polling_stations.id'))
    // argon2id PHC string; null until enrolled.
    .addColumn('password_hash', 'text')
    // Base32 TOTP secret; null until enrolled.
    .addColumn('totp_secret', 'text')
    // The last TOTP time step accepted: a code of that step or an earlier one is a replay.
    .addColumn('totp_last_step', 'bigint')
    .addColumn('enrolled_at', 'timestamptz')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('failed_signins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    // Sessions carry the epoch they were made in; "sign out everywhere" moves it on.
    .addColumn('session_epoch', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('staff_station_iff_precinct', sql`(role = 'precinct') = (station_id is not null)`)
    .execute();

  await db.schema
    .createTable('staff_enrolments')
    // SHA-256 (hex) of the link's token; the token itself is stored nowhere.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The chain: seq orders it without gaps; each event's hash covers the previous one's.
  await db.schema
    .alterTable('audit_events')
    .addColumn('seq', 'bigint', (c) => c.unique())
    .addColumn('actor_role', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('reason', 'text')
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table audit_events disable trigger user`.execute(db);
  await db.schema
    .alterTable('audit_events')
    .dropColumn('seq').dropColumn('actor_role').dropColumn('actor_id').dropColumn('subject').dropColumn('reason').dropColumn('prev_hash').dropColumn('hash')
    .execute();
  await sql`alter table audit_events enable trigger user`.execute(db);
  await db.schema.dropTable('staff_enrolments').execute();
  await db.schema.dropTable('staff').execute();
}
