import { currentElectionForAuth } from '@primaries/db';
import { type TestDatabase, createTestDatabase } from '@primaries/testing';

// Which election members authorize for: open now, else the next to open, else the latest.
describe('currentElectionForAuth', () => {
  let tdb: TestDatabase;
  const day = 86400_000;
  const now = new Date('2026-10-02T12:00:00Z');
  const add = async (slug: string, opensAt: number, closesAt: number, closed = false) =>
    (
      await tdb.db
        .insertInto('elections')
        .values({
          slug,
          name: slug,
          name_kk: null,
          opens_at: new Date(now.getTime() + opensAt * day),
          closes_at: new Date(now.getTime() + closesAt * day),
          closed_at: closed ? new Date(now.getTime() + closesAt * day) : null,
          freeze_date: '2026-09-11',
          election_day: '2026-10-04',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  beforeAll(async () => {
    tdb = await createTestDatabase('authelection');
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('prefers the open election, then the next to open, then the most recent', async () => {
    expect(await currentElectionForAuth(tdb.db, now)).toBeUndefined();
    const past = await add('past', -400, -397, true);
    await add('older', -800, -797, true);
    expect((await currentElectionForAuth(tdb.db, now))?.id).toBe(past);
    await add('far-future', 300, 303);
    const soon = await add('soon', 10, 13);
    expect((await currentElectionForAuth(tdb.db, now))?.id).toBe(soon);
    const open = await add('open', -1, 2);
    expect((await currentElectionForAuth(tdb.db, now))?.id).toBe(open);
    // Closed early (closed_at set) no longer counts as open.
    await tdb.db.updateTable('elections').set({ closed_at: now }).where('id', '=', open).execute();
    expect((await currentElectionForAuth(tdb.db, now))?.id).toBe(soon);
  });
});
