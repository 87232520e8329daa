import { type Kysely, sql } from 'kysely';

// The whole domain's schema (DOMAIN.md). Later migrations add; this file is never edited
// once landed (STYLE.md habit 5).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('elections')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_kk', 'text')
    // Planned window, and the actual lifecycle beside it (STYLE.md habit 8).
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('results_published_at', 'timestamptz')
    // Members admitted on or after this date may not vote (2020: admission frozen 11 Sep).
    .addColumn('freeze_date', 'date', (c) => c.notNull())
    // Election day, for the "under 35" youth rule.
    .addColumn('election_day', 'date', (c) => c.notNull())
    .addColumn('results_refresh_seconds', 'integer', (c) => c.notNull().defaultTo(1800).check(sql`results_refresh_seconds >= 1`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('elections_window', sql`closes_at > opens_at`)
    .execute();

  await db.schema
    .createTable('regions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_kk', 'text')
    .execute();

  await db.schema
    .createTable('districts')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_kk', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('city', 'district')`))
    .execute();
  await db.schema.createIndex('districts_region_idx').on('districts').column('region_id').execute();

  await db.schema
    .createTable('contests')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('level', 'text', (c) => c.notNull().check(sql`level in ('national', 'region', 'district')`))
    .addColumn('region_id', 'integer', (c) => c.references('regions.id'))
    .addColumn('district_id', 'integer', (c) => c.references('districts.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_kk', 'text')
    .addColumn('seats', 'integer', (c) => c.notNull().check(sql`seats >= 1`))
    .addColumn('max_choices', 'integer', (c) => c.notNull().check(sql`max_choices >= 1`))
    .addCheckConstraint(
      'contests_place',
      sql`(level = 'national' and region_id is null and district_id is null)
       or (level = 'region' and region_id is not null and district_id is null)
       or (level = 'district' and region_id is not null and district_id is not null)`,
    )
    .execute();
  // One contest per place per election.
  await sql`create unique index contests_place_uq on contests (election_id, level, coalesce(region_id, 0), coalesce(district_id, 0))`.execute(db);

  await db.schema
    .createTable('members')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('iin', 'char(12)', (c) => c.notNull().unique())
    // E.164; one phone number belongs to one member.
    .addColumn('phone', 'text', (c) => c.notNull().unique())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('gender', 'char(1)', (c) => c.notNull().check(sql`gender in ('F', 'M')`))
    .addColumn('birth_date', 'date', (c) => c.notNull())
    .addColumn('region_id', 'integer', (c) => c.notNull().references('regions.id'))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id'))
    .addColumn('primary_org', 'text', (c) => c.notNull())
    .addColumn('admitted_at', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'expelled', 'blocked', 'suspended')`))
    .addColumn('status_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('members_district_idx').on('members').columns(['district_id', 'status']).execute();
  await db.schema.createIndex('members_region_idx').on('members').columns(['region_id', 'status']).execute();

  await db.schema
    .createTable('candidates')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    .addColumn('member_id', 'bigint', (c) => c.references('members.id'))
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('gender', 'char(1)', (c) => c.notNull().check(sql`gender in ('F', 'M')`))
    .addColumn('birth_date', 'date', (c) => c.notNull())
    .addColumn('occupation', 'text')
    .addColumn('ballot_order', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active').check(sql`status in ('active', 'removed')`))
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removal_reason', 'text')
    .addCheckConstraint('candidates_removal', sql`(status = 'removed') = (removed_at is not null)`)
    .execute();
  await db.schema.createIndex('candidates_contest_idx').on('candidates').columns(['contest_id', 'ballot_order']).execute();

  await db.schema
    .createTable('polling_stations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('district_id', 'integer', (c) => c.notNull().references('districts.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('settlement', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('polling_stations_code_uq', ['election_id', 'code'])
    .execute();

  // Every login: the turnout denominator and raw material for fraud analysis.
  await db.schema
    .createTable('authorizations')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('member_id', 'bigint', (c) => c.notNull().references('members.id'))
    .addColumn('authorized_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ip', sql`inet`, (c) => c.notNull())
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('authorizations_member_idx').on('authorizations').columns(['election_id', 'member_id']).execute();
  await db.schema.createIndex('authorizations_ip_idx').on('authorizations').columns(['election_id', 'ip']).execute();

  // Who voted where and how — and never what (ballots hold no member reference).
  await db.schema
    .createTable('participation')
    .addColumn('member_id', 'bigint', (c) => c.notNull().references('members.id'))
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('online', 'paper')`))
    .addColumn('polling_station_id', 'integer', (c) => c.references('polling_stations.id'))
    // Hour granularity: enough for turnout curves, too coarse to pair with a ballot.
    .addColumn('recorded_hour', 'timestamptz', (c) => c.notNull().defaultTo(sql`date_trunc('hour', now())`))
    .addPrimaryKeyConstraint('participation_pk', ['member_id', 'contest_id'])
    .addCheckConstraint('participation_station', sql`(channel = 'paper') = (polling_station_id is not null)`)
    .execute();
  await db.schema.createIndex('participation_contest_idx').on('participation').columns(['contest_id', 'channel']).execute();

  // Anonymous ballots: random ids, no member, no timestamp.
  await db.schema
    .createTable('ballots')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    .addColumn('marks', sql`integer[]`, (c) => c.notNull())
    .addColumn('receipt_hash', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ballots_contest_idx').on('ballots').column('contest_id').execute();
  await db.schema.createIndex('ballots_receipt_idx').on('ballots').column('receipt_hash').execute();

  await db.schema
    .createTable('paper_protocols')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('polling_station_id', 'integer', (c) => c.notNull().references('polling_stations.id'))
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id'))
    .addColumn('ballots_issued', 'integer', (c) => c.notNull().check(sql`ballots_issued >= 0`))
    .addColumn('ballots_cast', 'integer', (c) => c.notNull().check(sql`ballots_cast >= 0`))
    .addColumn('ballots_spoiled', 'integer', (c) => c.notNull().defaultTo(0).check(sql`ballots_spoiled >= 0`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'submitted', 'accepted', 'rejected')`))
    .addColumn('entered_by', 'text', (c) => c.notNull())
    .addColumn('entered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('accepted_at', 'timestamptz')
    .addUniqueConstraint('paper_protocols_uq', ['polling_station_id', 'contest_id'])
    .execute();

  await db.schema
    .createTable('paper_protocol_votes')
    .addColumn('protocol_id', 'integer', (c) => c.notNull().references('paper_protocols.id').onDelete('cascade'))
    .addColumn('candidate_id', 'integer', (c) => c.notNull().references('candidates.id'))
    .addColumn('votes', 'integer', (c) => c.notNull().check(sql`votes >= 0`))
    .addPrimaryKeyConstraint('paper_protocol_votes_pk', ['protocol_id', 'candidate_id'])
    .execute();

  await db.schema
    .createTable('complaints')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.notNull().references('elections.id'))
    .addColumn('candidate_id', 'integer', (c) => c.references('candidates.id'))
    .addColumn('member_id', 'bigint', (c) => c.references('members.id'))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('hotline', 'email', 'web', 'observer')`))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('received').check(sql`status in ('received', 'reviewing', 'upheld', 'dismissed')`))
    .addColumn('decision', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('decided_at', 'timestamptz')
    .execute();

  // Append-only log of every administrative action (STYLE.md habit 8).
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('election_id', 'integer', (c) => c.references('elections.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only' using errcode = 'P0001';
    end $$`.execute(db);
  await sql`
    create trigger audit_events_no_change before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db);
  await sql`
    create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'audit_events', 'complaints', 'paper_protocol_votes', 'paper_protocols', 'ballots', 'participation',
    'authorizations', 'polling_stations', 'candidates', 'members', 'contests', 'districts', 'regions', 'elections',
  ]) {
    await db.schema.dropTable(t).ifExists().cascade().execute();
  }
  await sql`drop function if exists audit_events_append_only()`.execute(db);
}
