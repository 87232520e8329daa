import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { loadConfig } from '@primaries/config';
import { appendAuditEvent } from '@primaries/db';
import { auditKeys, publishAuditTrail } from '@primaries/audit';
import { type TestDatabase, type TestRedis, createTestDatabase, createTestRedis } from '@primaries/testing';
import { buildResultsApp } from '@primaries/results/app';
import { auditVerify } from '../src/commands/audit';

let tdb: TestDatabase;
let tr: TestRedis;
beforeAll(async () => {
  tdb = await createTestDatabase('cli_audit');
  tr = await createTestRedis('cli_audit');
  for (let i = 1; i <= 4; i++) {
    await tdb.db.transaction().execute((trx) => appendAuditEvent(trx, { actor: { role: 'organizer', id: '7' }, action: 'staff.created', subject: `staff:${i}` }));
  }
});
afterAll(async () => {
  await tr.cleanup();
  await tdb.drop();
});

describe('audit verify', () => {
  it('from the database: OK, then the first break after tampering', async () => {
    expect(await auditVerify({}, { DATABASE_URL: tdb.url })).toMatchObject({ ok: true, lines: [expect.stringMatching(/^audit trail OK: 4 events/)] });
    await tdb.db.connection().execute(async (c) => {
      await sql`alter table audit_events disable trigger user`.execute(c);
      await sql`update audit_events set subject = 'staff:99' where seq = 2`.execute(c);
      await sql`alter table audit_events enable trigger user`.execute(c);
    });
    expect(await auditVerify({}, { DATABASE_URL: tdb.url })).toMatchObject({ ok: false, lines: [expect.stringMatching(/^audit trail BROKEN at event 2 \(hash\)/), expect.any(String)] });
  });

  it('from a results site (--url): OK, and a forged published event is found', async () => {
    const fresh = await createTestDatabase('cli_audit_url');
    try {
      for (let i = 1; i <= 3; i++) await fresh.db.transaction().execute((trx) => appendAuditEvent(trx, { actor: { role: 'control', id: '3' }, action: 'candidate.removed', subject: `candidate:${i}`, reason: 'skipped the debates' }));
      await publishAuditTrail(fresh.db, tr.redis, tr.prefix);
      const app = await buildResultsApp(loadConfig('results', { NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix }), { redis: tr.redis });
      await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
        expect(await auditVerify({ url })).toMatchObject({ ok: true, lines: [expect.stringMatching(/^audit trail OK: 3 events/)] });
        const key = auditKeys(tr.prefix).events;
        const second = JSON.parse((await tr.redis.hget(key, '2'))!);
        await tr.redis.hset(key, '2', JSON.stringify({ ...second, reason: 'no reason' }));
        expect(await auditVerify({ url })).toMatchObject({ ok: false, lines: [expect.stringMatching(/^audit trail BROKEN at event 2/), expect.any(String)] });
      } finally {
        await app.close();
      }
    } finally {
      await fresh.drop();
    }
  });
});
