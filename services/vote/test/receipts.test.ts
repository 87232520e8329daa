import { sql } from 'kysely';
import { waitFor } from '@primaries/testing';
import { type VotingHarness, votingHarness } from './voting-fixtures';

let h: VotingHarness;
beforeAll(async () => {
  h = await votingHarness('receipts');
});
afterAll(async () => {
  await h.close();
});

const status = async (receipt: string) => h.app.inject({ method: 'GET', url: `/api/v1/receipts/${receipt}` });

describe('GET /api/v1/receipts/{receipt}', () => {
  it('one receipt per contest ballot goes queued → recorded → counted, and says nothing else (no choice, no voter)', async () => {
    const member = await h.addMember(0, 0);
    const token = await h.token(member);
    const contests = h.contestsOf(0, 0);
    const selections = contests.map((id) => ({ contestId: id, candidateIds: [h.el.candidates[id]![3]!] }));
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${token}` }, payload: { selections } });
    expect(res.statusCode).toBe(202);
    const { receipts } = res.json() as { receipts: Array<{ contestId: number; receipt: string }> };
    expect(receipts.map((r) => r.contestId)).toEqual(contests);
    // Independent receipts: no two alike, no shared part.
    expect(new Set(receipts.map((r) => r.receipt)).size).toBe(contests.length);

    for (const { receipt } of receipts) {
      const queued = await status(receipt);
      expect(queued.statusCode).toBe(200);
      expect(queued.json()).toEqual({ status: 'queued' });
    }

    const worker = await h.startWorker();
    for (const { receipt } of receipts) await waitFor(async () => (await status(receipt)).json().status === 'recorded', { message: 'recorded' });
    await worker.close();
    const recorded = await status(receipts[0]!.receipt);
    expect(recorded.json()).toEqual({ status: 'recorded' });
    expect(recorded.headers['cache-control']).toBe('no-store');

    // One voter is fewer than K: a tally while voting goes on releases nothing, counts nothing.
    const open = await h.rebuild();
    expect(open!.pending).toBe(3);
    for (const { receipt } of receipts) expect((await status(receipt)).json()).toEqual({ status: 'recorded' });
    // At the close everything left is released; counted once a published tally includes it.
    await h.tdb.db.updateTable('elections').set({ closed_at: new Date() }).where('id', '=', h.el.electionId).execute();
    const closed = await h.rebuild();
    expect(closed!.pending).toBe(0);
    expect(closed!.contests.filter((c) => contests.includes(c.id)).map((c) => c.online)).toEqual([1, 1, 1]);
    // …in snapshot N of the signed chain (issue #16).
    for (const { receipt } of receipts) expect((await status(receipt)).json()).toEqual({ status: 'counted', snapshot: closed!.signed!.seq });

    // The receipts themselves are not stored anywhere, only their hashes, and never on a ballot.
    const rows = await sql<{ j: string }>`select row_to_json(r)::text j from receipts r`.execute(h.tdb.db);
    expect(rows.rows).toHaveLength(contests.length);
    for (const { receipt } of receipts) expect(rows.rows.some((r) => r.j.includes(receipt))).toBe(false);
    const ballotColumns = await sql<{ c: string }>`select column_name c from information_schema.columns where table_name = 'ballots'`.execute(h.tdb.db);
    expect(ballotColumns.rows.map((r) => r.c).filter((c) => /receipt/.test(c))).toEqual([]);
  });

  it('an unknown receipt → 404 VOTE_ERR_RECEIPT_UNKNOWN', async () => {
    const res = await status('AAAAAAAAAAAAAAAAAAAAAA');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('VOTE_ERR_RECEIPT_UNKNOWN');
  });

  it.each(['short', 'x'.repeat(23), 'has+plus+and/slash/chars'])('a malformed receipt %p → 400 VOTE_ERR_VALIDATION', async (r) => {
    const res = await status(encodeURIComponent(r));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VOTE_ERR_VALIDATION');
  });
});
