import { createDb } from '@primaries/db';
import { MemberLookup } from '../src/auth/member-lookup';
import { authHarness, type AuthHarness } from './auth-harness';

// The batched member lookup behind POST /auth/code: lookups of one tick share one query,
// and each caller gets exactly the answer a single lookup would give.
describe('member lookup by IIN, batched per tick', () => {
  let h: AuthHarness;

  beforeAll(async () => {
    h = await authHarness('authlookup');
    await h.startSms();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers each of many concurrent lookups (members, strangers, the same IIN twice) with its own row', async () => {
    const members = await Promise.all(Array.from({ length: 5 }, () => h.addMember()));
    const strangers = [h.strangerIin(), h.strangerIin()];
    const lookup = new MemberLookup(h.tdb.db, 3); // chunks of 3: several queries in one tick
    const asked = [...members.map((m) => m.iin), ...strangers, members[0]!.iin];
    const found = await Promise.all(asked.map((iin) => lookup.find(iin)));
    expect(found.slice(0, 5).map((m) => m && { id: m.id, phone: m.phone, status: m.status })).toEqual(
      members.map((m) => ({ id: m.id, phone: m.phone, status: 'active' })),
    );
    expect(found[5]).toBeUndefined();
    expect(found[6]).toBeUndefined();
    expect(found[7]?.id).toBe(members[0]!.id);
    expect(found[0]).not.toHaveProperty('iin');
  });

  it('fails every lookup of a query that fails', async () => {
    // A database that does not exist: the connection, and so the query, fails.
    const broken = createDb({ url: h.tdb.url.replace(/\/[^/]+$/, '/no_such_database_lookup'), poolMax: 1 });
    try {
      const lookup = new MemberLookup(broken);
      const results = await Promise.allSettled([lookup.find(h.strangerIin()), lookup.find(h.strangerIin())]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    } finally {
      await broken.destroy();
    }
  });

  it('through the route: concurrent requests from members and strangers get 202 and the same refusal as one by one', async () => {
    const members = await Promise.all(Array.from({ length: 6 }, () => h.addMember()));
    const wrongPhone = { iin: members[5]!.iin, phone: h.strangerPhone() };
    const stranger = { iin: h.strangerIin(), phone: h.strangerPhone() };
    const answers = await Promise.all([
      ...members.slice(0, 5).map((m, i) => h.requestCode(m, `10.53.0.${i + 1}`)),
      h.requestCode(wrongPhone, '10.53.1.1'),
      h.requestCode(stranger, '10.53.1.2'),
    ]);
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    expect(answers[5]!.status).toBe(answers[6]!.status);
    expect(answers[5]!.body).toEqual(answers[6]!.body);
    expect(answers[5]!.body).toMatchObject({ error: { code: 'VOTE_ERR_AUTH_REJECTED' } });
    for (const m of members.slice(0, 5)) expect(await h.codeFor(m.phone)).toMatch(/^\d{6}$/);
  });
});
