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
  it('goes queued → recorded, and says nothing else (no choice, no voter)', async () => {
    const member = await h.addMember(0, 0);
    const token = await h.token(member);
    const selections = h.contestsOf(0, 0).map((id) => ({ contestId: id, candidateIds: [h.el.candidates[id]![3]!] }));
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${token}` }, payload: { selections } });
    expect(res.statusCode).toBe(202);
    const { receipt } = res.json() as { receipt: string };

    const queued = await status(receipt);
    expect(queued.statusCode).toBe(200);
    expect(queued.json()).toEqual({ status: 'queued' });

    const worker = await h.startWorker();
    await waitFor(async () => (await status(receipt)).json().status === 'recorded', { message: 'recorded' });
    await worker.close();
    const recorded = await status(receipt);
    expect(recorded.json()).toEqual({ status: 'recorded' });
    expect(recorded.headers['cache-control']).toBe('no-store');
    // The receipt itself is not stored anywhere, only its hash.
    const ballots = await h.tdb.db.selectFrom('ballots').select('receipt_hash').execute();
    expect(ballots.some((b) => b.receipt_hash.toString('base64url') === receipt || b.receipt_hash.toString('utf8').includes(receipt))).toBe(false);
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
