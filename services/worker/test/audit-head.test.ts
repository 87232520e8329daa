import { appendAuditEvent, auditHead } from '@primaries/db';
import { readPublishedAudit } from '@primaries/audit';
import { type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis } from '@primaries/testing';
import { rebuildResults } from '../src/tally/rebuild';

// Issue #12: every results snapshot names the audit trail's head, and the trail it names is published with it.
let tdb: TestDatabase;
let tr: TestRedis;
beforeAll(async () => {
  tdb = await createTestDatabase('audit_head');
  tr = await createTestRedis('audit_head');
  electionId = (await createSmallElection(tdb.db)).electionId;
});
let electionId: number;
afterAll(async () => {
  await tr.cleanup();
  await tdb.drop();
});

it('puts the chain head into the snapshot and publishes the events up to it', async () => {
  const empty = (await rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser: null })).snapshot!;
  // The election is open: the first tally records the window's opening (lifecycle event).
  expect(empty.auditHead).toEqual(await auditHead(tdb.db));
  expect(empty.auditHead?.seq).toBe(1);
  for (const subject of ['staff:1', 'staff:2']) {
    await tdb.db.transaction().execute((trx) => appendAuditEvent(trx, { actor: { role: 'operator', id: 'cli' }, action: 'staff.created', subject }));
  }
  const snapshot = (await rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser: null })).snapshot!;
  expect(snapshot.auditHead).toEqual(await auditHead(tdb.db));
  expect(snapshot.auditHead?.seq).toBe(3);
  const page = await readPublishedAudit(tr.redis, tr.prefix, 0, 10);
  expect(page.head).toEqual(snapshot.auditHead);
  expect(page.events.map((e) => e.subject)).toEqual([`election:${electionId}`, 'staff:1', 'staff:2']);
});
