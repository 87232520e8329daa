import { sql } from 'kysely';
import { appendAuditEvent, auditEventHash, auditHead, listAuditEvents } from '@primaries/db';
import { type TestDatabase, type TestRedis, createTestDatabase, createTestRedis } from '@primaries/testing';
import { databaseAuditEvents, publishAuditTrail, readPublishedAudit, verifyAuditStream } from '../src';

let tdb: TestDatabase;
let tr: TestRedis;
beforeEach(async () => {
  tdb = await createTestDatabase('audit');
  tr = await createTestRedis('audit');
  for (let i = 1; i <= 6; i++) {
    await tdb.db.transaction().execute((trx) => appendAuditEvent(trx, { actor: { role: 'organizer', id: '1' }, action: 'test.action', subject: `thing:${i}`, reason: `reason ${i}` }));
  }
});
afterEach(async () => {
  await tr.cleanup();
  await tdb.drop();
});

/** Tampering as an insider with the superuser would: past the append-only triggers. */
async function tamper(statement: { execute(db: never): Promise<unknown> }) {
  await tdb.db.connection().execute(async (c) => {
    await sql`alter table audit_events disable trigger user`.execute(c);
    await statement.execute(c as never);
    await sql`alter table audit_events enable trigger user`.execute(c);
  });
}

const verify = () => verifyAuditStream(databaseAuditEvents(tdb.db));

describe('audit verify', () => {
  it('accepts the chain as written, head and all', async () => {
    expect(await verify()).toEqual({ ok: true, count: 6, head: await auditHead(tdb.db) });
  });

  it('finds a changed event at that event', async () => {
    await tamper(sql`update audit_events set reason = 'nothing happened' where seq = 3`);
    expect(await verify()).toMatchObject({ ok: false, count: 2, break: { seq: 3, problem: 'hash' } });
  });

  it('finds a changed event whose hash was recomputed at the next one', async () => {
    const events = await listAuditEvents(tdb.db);
    const forged = { ...events[2]!, reason: 'forged' };
    await tamper(sql`update audit_events set reason = 'forged', hash = ${auditEventHash(forged)} where seq = 3`);
    expect(await verify()).toMatchObject({ ok: false, break: { seq: 4, problem: 'link' } });
  });

  it('finds a deleted event where it was', async () => {
    await tamper(sql`delete from audit_events where seq = 4`);
    expect(await verify()).toMatchObject({ ok: false, count: 3, break: { seq: 4, problem: 'sequence' } });
  });

  it('finds reordered events at the first moved one', async () => {
    // Events 2 and 5 swap places (through a spare seq: the unique key is checked row by row).
    await tamper(sql`update audit_events set seq = -2 where seq = 2`);
    await tamper(sql`update audit_events set seq = 2 where seq = 5`);
    await tamper(sql`update audit_events set seq = 5 where seq = -2`);
    expect(await verify()).toMatchObject({ ok: false, count: 1, break: { seq: 2 } });
  });

  it('an action and its event commit or fail together', async () => {
    await expect(
      tdb.db.transaction().execute(async (trx) => {
        await appendAuditEvent(trx, { actor: { role: 'organizer', id: '1' }, action: 'test.failed' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await listAuditEvents(tdb.db)).map((e) => e.action)).not.toContain('test.failed');
    expect((await verify()).ok).toBe(true);
  });

  it('publishes the trail to Redis for the results site, page by page', async () => {
    const head = await publishAuditTrail(tdb.db, tr.redis, tr.prefix);
    expect(head).toEqual(await auditHead(tdb.db));
    const page = await readPublishedAudit(tr.redis, tr.prefix, 2, 3);
    expect(page.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(page.head).toEqual(head);
    expect(await publishAuditTrail(tdb.db, tr.redis, tr.prefix)).toEqual(head);
  });
});
