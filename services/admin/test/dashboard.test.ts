import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { resultsKeys } from '@primaries/results-model';
import { createSmallElection } from '@primaries/testing';
import { type Harness, adminHarness, enrolStaff, signIn } from './harness';

/**
 * GET /api/v1/dashboard on real Postgres and Redis: every figure is made to be something
 * other than zero (jobs in each state of the votes queue, a dead letter, a published
 * snapshot, an open election) and read back.
 */
let h: Harness;
let votes: Queue;
let dead: Queue;
let worker: Worker;
let blocking: Redis;
beforeAll(async () => {
  h = await adminHarness('admin_dashboard');
  const prefix = bullPrefix(h.tr.prefix);
  votes = new Queue(QUEUES.votes, { connection: h.tr.redis, prefix });
  dead = new Queue(QUEUES.votesDead, { connection: h.tr.redis, prefix });
  blocking = new Redis(h.tr.url, { maxRetriesPerRequest: null });
  // A worker processing by hand: it takes jobs only when asked (getNextJob).
  worker = new Worker(QUEUES.votes, null, { connection: blocking, prefix, autorun: false });
});
afterAll(async () => {
  await worker.close(true);
  await votes.close();
  await dead.close();
  blocking.disconnect();
  await h.close();
});

async function organizer() {
  return signIn(h, await enrolStaff(h, 'organizer'));
}

it('answers nulls and zeros before there is anything', async () => {
  const c = await organizer();
  const res = await c.get('/api/v1/dashboard');
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body).toEqual({
    serverTime: expect.any(String),
    election: null,
    turnout: { voted: 0, eligible: 0, percent: 0 },
    votesQueue: { waiting: 0, active: 0, delayed: 0, failed: 0 },
    deadLetters: { count: 0, oldestAt: null },
    snapshot: null,
  });
  expect(Math.abs(Date.parse(body.serverTime) - Date.now())).toBeLessThan(5000);
});

it('reads the election, the votes queue, the dead letters and the last snapshot', async () => {
  const opensAt = new Date(Date.now() - 3600_000);
  const closesAt = new Date(Date.now() + 7200_000);
  const election = await createSmallElection(h.tdb.db, { opensAt, closesAt });

  // Votes queue: 1 failed, 1 active (held by the hand worker), 3 waiting, 2 delayed.
  await votes.add('vote-batch', { n: 'fails' }, { attempts: 1 });
  const token = 'dashboard-test';
  const failing = (await worker.getNextJob(token));
  await failing.moveToFailed(new Error('test failure'), token);
  await votes.add('vote-batch', { n: 'held' });
  expect(await worker.getNextJob(token)).toBeTruthy();
  for (let i = 0; i < 3; i++) await votes.add('vote-batch', { n: i });
  for (let i = 0; i < 2; i++) await votes.add('vote-batch', { n: i }, { delay: 3600_000 });

  // Two dead letters, the older one written first.
  const first = await dead.add('dead-votes', { batchId: 'b1', reason: 'test', votes: [] });
  await new Promise((r) => setTimeout(r, 20));
  await dead.add('dead-votes', { batchId: 'b2', reason: 'test', votes: [] });

  // A snapshot generated 90 s ago with 40 of 160 members voted.
  const generatedAt = new Date(Date.now() - 90_000).toISOString();
  await publishSnapshot(election.electionId, generatedAt, { eligible: 160, authorized: 70, voted: 40 });

  const c = await organizer();
  const body = (await c.get('/api/v1/dashboard')).json();
  expect(body.election).toEqual({ id: election.electionId, name: 'Test primaries', state: 'open', opensAt: opensAt.toISOString(), closesAt: closesAt.toISOString() });
  expect(body.turnout).toEqual({ voted: 40, eligible: 160, percent: 25 });
  expect(body.votesQueue).toEqual({ waiting: 3, active: 1, delayed: 2, failed: 1 });
  expect(body.deadLetters).toEqual({ count: 2, oldestAt: new Date(first.timestamp).toISOString() });
  expect(body.snapshot).toMatchObject({ at: generatedAt, final: false, version: 3, electionId: election.electionId });
  expect(body.snapshot.ageSeconds).toBeGreaterThanOrEqual(89);
  expect(body.snapshot.ageSeconds).toBeLessThan(120);
});

it('says closed once the server time is past the close, and final once the results are', async () => {
  await h.tdb.db.updateTable('elections').set({ closed_at: new Date(Date.now() - 1000) }).execute();
  const { id } = await h.tdb.db.selectFrom('elections').select('id').executeTakeFirstOrThrow();
  await publishSnapshot(id, new Date().toISOString(), { eligible: 3, authorized: 1, voted: 1 }, true);
  const body = (await (await organizer()).get('/api/v1/dashboard')).json();
  expect(body.election.state).toBe('closed');
  expect(body.snapshot).toMatchObject({ final: true, version: 4 });
  expect(body.snapshot.ageSeconds).toBeLessThan(5);
  expect(body.turnout).toEqual({ voted: 1, eligible: 3, percent: 33.33 });
});

/** Publishes a minimal snapshot as the worker would (pointer and version key), as version 3, 4, … */
let nextVersion = 3;
async function publishSnapshot(electionId: number, generatedAt: string, turnout: { eligible: number; authorized: number; voted: number }, final = false) {
  const version = nextVersion++;
  const keys = resultsKeys(h.tr.prefix);
  const snapshot = {
    version, electionId, generatedAt, final, turnout,
    election: { id: electionId, name: 'Test primaries', nameKk: null, opensAt: generatedAt, closesAt: generatedAt, state: 'open' },
    nextRefreshAt: generatedAt, refreshSeconds: 60, buildMs: 1, turnoutByRegion: [], contests: [],
  };
  await h.tr.redis.multi().set(keys.version(version), JSON.stringify(snapshot)).set(keys.current, String(version)).exec();
}
