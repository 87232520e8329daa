import { sql } from 'kysely';
import { type TestDatabase, createSmallElection, createTestDatabase } from '@primaries/testing';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('schema');
});
afterAll(async () => {
  await t.drop();
});

describe('schema', () => {
  it('has every domain table', async () => {
    const rows = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = 'public'`.execute(t.db);
    const names = rows.rows.map((r) => r.table_name);
    for (const table of [
      'elections', 'regions', 'districts', 'contests', 'candidates', 'members', 'authorizations',
      'participation', 'ballots', 'polling_stations', 'paper_protocols', 'paper_protocol_votes', 'complaints', 'audit_events',
    ]) {
      expect(names).toContain(table);
    }
  });

  it('keeps ballots free of any member reference or timestamp', async () => {
    const cols = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'ballots'`.execute(t.db);
    expect(cols.rows.map((c) => c.column_name).sort()).toEqual(['contest_id', 'id', 'marks']);
  });

  it('refuses to change or delete an audit event', async () => {
    const ev = await t.db.insertInto('audit_events').values({ actor: 'test', action: 'election.create', election_id: null, subject_type: null, subject_id: null }).returning('id').executeTakeFirstOrThrow();
    await expect(t.db.updateTable('audit_events').set({ actor: 'x' }).where('id', '=', ev.id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_events').where('id', '=', ev.id).execute()).rejects.toThrow(/append-only/);
  });

  it('allows one participation per member and contest, whatever the channel', async () => {
    const e = await createSmallElection(t.db);
    const m = await t.db
      .insertInto('members')
      .values({ iin: '791028302728', phone: '+77012345678', full_name: 'A', gender: 'M', birth_date: '1979-10-28', region_id: e.regionIds[0]!, district_id: e.districtIds[0]!, primary_org: 'PPO-1', admitted_at: '2020-01-01' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('participation').values({ member_id: m.id, contest_id: e.contests.national, channel: 'online', polling_station_id: null }).execute();
    const station = await t.db
      .insertInto('polling_stations')
      .values({ election_id: e.electionId, district_id: e.districtIds[0]!, code: 'PS-1', settlement: 'Village', address: null, opens_at: new Date(), closes_at: new Date(Date.now() + 3600_000) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await expect(
      t.db.insertInto('participation').values({ member_id: m.id, contest_id: e.contests.national, channel: 'paper', polling_station_id: station.id }).execute(),
    ).rejects.toThrow(/participation_pk/);
  });

  it('enforces one phone per member', async () => {
    const e = await createSmallElection(t.db);
    const base = { full_name: 'B', gender: 'F' as const, birth_date: '1988-02-29', region_id: e.regionIds[0]!, district_id: e.districtIds[0]!, primary_org: 'PPO-1', admitted_at: '2020-01-01' };
    await t.db.insertInto('members').values({ ...base, iin: '880229400003', phone: '+77011111111' }).execute();
    await expect(t.db.insertInto('members').values({ ...base, iin: '061211600012', phone: '+77011111111' }).execute()).rejects.toThrow(/members_phone/);
  });
});
