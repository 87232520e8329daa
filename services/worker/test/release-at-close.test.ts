import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { insertReceipts, insertSealedBallots } from '@primaries/db';
import { createLogger } from '@primaries/logger';
import { countQueuedVotes, uncountQueuedVotes } from '@primaries/redis-protocols';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys, parseSealed } from '@primaries/sealing';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis } from '@primaries/testing';
import { Releaser } from '../src/release/releaser';
import { rebuildResults } from '../src/tally/rebuild';

// The tally runs the release first (issue #9): groups of K while voting goes on; at the close
// everything left, once the votes queue is empty (its last votes join the last group) or,
// failing that, 15 minutes after the close.
let tdb: TestDatabase;
let tr: TestRedis;
let el: SmallElection;
const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));
let releaser: Releaser;

beforeAll(async () => {
  tdb = await createTestDatabase('releaseclose');
  tr = await createTestRedis('releaseclose');
  el = await createSmallElection(tdb.db);
  releaser = new Releaser({ db: tdb.db, sealer, min: 5, log: createLogger('worker', 'silent') });
});
afterAll(async () => {
  await tr.cleanup();
  await tdb.drop();
});

async function record(n: number): Promise<void> {
  const c = el.contests.national;
  const votes = Array.from({ length: n }, () => ({ contestId: c, marks: [el.candidates[c]![0]!], receiptHash: createHash('sha256').update(randomUUID()).digest('hex') }));
  await insertSealedBallots(tdb.db, votes.map((v) => ({ contestId: c, ...parseSealed(sealer.seal(v, 2)) })));
  await insertReceipts(tdb.db, votes.map((v) => ({ hash: v.receiptHash, contestId: c })), 'recorded');
}

const rebuild = (now?: Date) => rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser, ...(now ? { now } : {}) });
const national = async (now?: Date) => (await rebuild(now)).snapshot!;

it('counts released ballots only while voting goes on, with the rest pending; everything at the close once the queue is empty', async () => {
  await record(12);
  let s = await national();
  // 12 waiting, K = 5 and a reserve of 5: one group of 7 goes, 5 stay.
  expect(s.contests.find((c) => c.id === el.contests.national)).toMatchObject({ online: 7, pending: 5 });
  expect(s.pending).toBe(5);
  const counted = await sql<{ status: string; n: number }>`select status, count(*)::int n from receipts group by 1 order by 1`.execute(tdb.db);
  expect(counted.rows).toEqual([{ status: 'counted', n: 7 }, { status: 'recorded', n: 5 }]);

  await tdb.db.updateTable('elections').set({ closed_at: new Date() }).where('id', '=', el.electionId).execute();
  // Closed, but 3 votes still in the queue: the remainder waits for them.
  await countQueuedVotes(tr.redis, tr.prefix, 3);
  s = await national();
  expect(s.pending).toBe(5 + 3);
  expect(s.contests.find((c) => c.id === el.contests.national)!.online).toBe(7);
  // …at most 15 minutes.
  s = await national(new Date(Date.now() + 16 * 60_000));
  expect(s.contests.find((c) => c.id === el.contests.national)).toMatchObject({ online: 12, pending: 0 });

  // Queue empty: everything goes at once.
  await uncountQueuedVotes(tr.redis, tr.prefix, 3);
  await record(2);
  s = await national();
  expect(s.contests.find((c) => c.id === el.contests.national)).toMatchObject({ online: 14, pending: 0 });
  expect(s.pending).toBe(0);
  const all = await sql<{ status: string; n: number }>`select status, count(*)::int n from receipts group by 1`.execute(tdb.db);
  expect(all.rows).toEqual([{ status: 'counted', n: 14 }]);
});
