import { type Kysely, sql } from 'kysely';

// Issue #15: paper ballots. The station lists (who votes on paper where), the commission's
// check-ins, the protocol entered twice, its return reason and the signed scan.
export async function up(db: Kysely<any>): Promise<void> {
  // A member on a station's list votes on paper in that election (and not online).
  await db.schema
    .createTable('paper_voters')
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('member_id', 'bigint', (c) => c.notNull().references('members.id'))
    .addColumn('polling_station_id', 'integer', (c) => c.notNull().references('polling_stations.id'))
    .addPrimaryKeyConstraint('paper_voters_pk', ['member_id', 'election_id'])
    .execute();
  await db.schema.createIndex('paper_voters_station_idx').on('paper_voters').column('polling_station_id').execute();

  // "Received a paper ballot": one per member and election, for the contests not yet voted
  // then. Participation (channel paper) is written in the same transaction; undoing is
  // possible until the ballot is handed over.
  await db.schema
    .createTable('paper_checkins')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('polling_station_id', 'integer', (c) => c.notNull().references('polling_stations.id'))
    .addColumn('member_id', 'bigint', (c) => c.notNull().references('members.id'))
    .addColumn('contest_ids', sql`integer[]`, (c) => c.notNull())
    .addColumn('checked_in_by', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('checked_in_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('handed_over_at', 'timestamptz')
    .addUniqueConstraint('paper_checkins_member_uq', ['election_id', 'member_id'])
    .execute();
  await db.schema.createIndex('paper_checkins_station_idx').on('paper_checkins').column('polling_station_id').execute();

  // Each commission account's own entry of a protocol; two matching ones from two accounts submit it.
  await db.schema
    .createTable('paper_protocol_entries')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('polling_station_id', 'integer', (c) => c.notNull().references('polling_stations.id'))
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    .addColumn('staff_id', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('ballots_received', 'integer', (c) => c.notNull().check(sql`ballots_received >= 0`))
    .addColumn('ballots_issued', 'integer', (c) => c.notNull().check(sql`ballots_issued >= 0`))
    .addColumn('ballots_found', 'integer', (c) => c.notNull().check(sql`ballots_found >= 0`))
    .addColumn('ballots_spoiled', 'integer', (c) => c.notNull().check(sql`ballots_spoiled >= 0`))
    // {candidateId: votes}
    .addColumn('votes', 'jsonb', (c) => c.notNull())
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('paper_protocol_entries_uq', ['polling_station_id', 'contest_id', 'staff_id'])
    .execute();

  await db.schema
    .alterTable('paper_protocols')
    .addColumn('ballots_received', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addColumn('returned_at', 'timestamptz')
    .addColumn('return_reason', 'text')
    .execute();

  // The signed paper protocol's scan: type sniffed from the content, SHA-256 of the bytes.
  await db.schema
    .createTable('paper_protocol_scans')
    .addColumn('protocol_id', 'integer', (c) => c.primaryKey().references('paper_protocols.id').onDelete('cascade'))
    .addColumn('media_type', 'text', (c) => c.notNull().check(sql`media_type in ('application/pdf', 'image/jpeg', 'image/png')`))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by', 'integer', (c) => c.notNull().references('staff.id'))
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('paper_protocol_scans').ifExists().execute();
  await db.schema
    .alterTable('paper_protocols')
    .dropColumn('ballots_received')
    .dropColumn('submitted_at')
    .dropColumn('decided_by')
    .dropColumn('returned_at')
    .dropColumn('return_reason')
    .execute();
  await db.schema.dropTable('paper_protocol_entries').ifExists().execute();
  await db.schema.dropTable('paper_checkins').ifExists().execute();
  await db.schema.dropTable('paper_voters').ifExists().execute();
}
