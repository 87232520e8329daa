import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { Queue } from 'bullmq';
import { type DeadVotes, QUEUES, bullPrefix } from '@primaries/queue';
import { readReceiptMarker, readVoteBacklog, receiptKey } from '@primaries/redis-protocols';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys } from '@primaries/sealing';
import { type TestRedis, createTestRedis } from '@primaries/testing';
import { expireDeadLetters } from '@primaries/worker/dead-letters';
import { listDeadLetters, purgeDeadLetters, retryDeadLetters } from '../src/commands/dead-letters';

// `pnpm primaries dead-letters list|retry|purge` (issue #9): dead letters stay sealed, the
// command never prints a member id or a sealed ballot, and they expire by themselves.
const ROOT = path.join(__dirname, '..', '..', '..');
const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));
const hash = (s: string) => createHash('sha256').update(s).digest('hex');

let r: TestRedis;
let dead: Queue<DeadVotes>;
let votes: Queue;
beforeAll(async () => {
  r = await createTestRedis('deadletters');
  dead = new Queue<DeadVotes>(QUEUES.votesDead, { connection: r.redis, prefix: bullPrefix(r.prefix) });
  votes = new Queue(QUEUES.votes, { connection: r.redis, prefix: bullPrefix(r.prefix) });
});
afterAll(async () => {
  await dead.close();
  await votes.close();
  await r.cleanup();
});
beforeEach(async () => {
  await dead.obliterate({ force: true });
  await votes.obliterate({ force: true });
});

/** A dead letter as the worker writes it: member ids beside sealed ballots. */
async function letter(reason: string, members: string[], contestId = 5) {
  const list = members.map((memberId) => {
    const receiptHash = hash(randomUUID());
    return { memberId, contestId, receiptHash, sealed: sealer.seal({ contestId, marks: [17, 23], receiptHash }, 3) };
  });
  const batchId = randomUUID();
  const job = await dead.add('dead-votes', { batchId, reason, votes: list }, { jobId: `dead-${batchId}-x` });
  return { id: String(job.id), votes: list };
}

describe('dead letters', () => {
  it('lists id, reason, votes per contest and age, and the command prints no member id or ballot', async () => {
    const a = await letter('unknown member', ['90000000001', '90000000002']);
    await letter('retries exhausted', ['90000000003'], 6);
    const lines = await listDeadLetters(dead);
    expect(lines.map((l) => [l.reason, l.votes, l.contests])).toEqual(
      expect.arrayContaining([
        ['unknown member', 2, { 5: 2 }],
        ['retries exhausted', 1, { 6: 1 }],
      ]),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'packages/cli/src/main.ts'), 'dead-letters', 'list'], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: r.url, REDIS_PREFIX: r.prefix, NODE_ENV: 'test' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(out).toContain(a.id);
    expect(out).toContain('unknown member');
    for (const v of a.votes) {
      expect(out).not.toContain(v.memberId);
      expect(out).not.toContain(v.sealed.slice(3, 30));
      expect(out).not.toContain(v.receiptHash);
    }
  }, 60_000);

  it('retry sends the votes back to the votes queue as a new batch, counted in the backlog, and removes the letter', async () => {
    const a = await letter('retries exhausted', ['90000000004', '90000000005']);
    const before = await readVoteBacklog(r.redis, r.prefix);
    expect(await retryDeadLetters(dead, votes, r.redis, r.prefix, [a.id])).toBe(2);
    expect(await dead.getJob(a.id)).toBeUndefined();
    const jobs = await votes.getJobs(['waiting']);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data.votes).toEqual(a.votes);
    expect(await readVoteBacklog(r.redis, r.prefix)).toBe(before + 2);
    await expect(retryDeadLetters(dead, votes, r.redis, r.prefix, ['dead-nope'])).rejects.toThrow(/no dead letter dead-nope/);
  });

  it('purge removes letters (by id, by age, or all) and marks their receipts rejected', async () => {
    const a = await letter('unknown member', ['90000000006']);
    const b = await letter('unknown member', ['90000000007']);
    for (const v of [...a.votes, ...b.votes]) await r.redis.set(receiptKey(r.prefix, v.receiptHash), 'q');
    expect(await purgeDeadLetters(dead, r.redis, r.prefix, [], 3600)).toBe(0);
    expect(await purgeDeadLetters(dead, r.redis, r.prefix, [a.id])).toBe(1);
    expect(await readReceiptMarker(r.redis, r.prefix, a.votes[0]!.receiptHash)).toBe('rejected');
    expect(await readReceiptMarker(r.redis, r.prefix, b.votes[0]!.receiptHash)).toBe('queued');
    expect(await purgeDeadLetters(dead, r.redis, r.prefix, [])).toBe(1);
    expect(await listDeadLetters(dead)).toEqual([]);
  });

  it('expire after DEAD_LETTER_TTL_SECONDS (the worker removes older ones)', async () => {
    await letter('unknown member', ['90000000008']);
    expect(await expireDeadLetters(dead, 3600)).toBe(0);
    await new Promise((res) => setTimeout(res, 1100));
    await letter('unknown member', ['90000000009']);
    expect(await expireDeadLetters(dead, 1)).toBe(1);
    expect((await listDeadLetters(dead)).map((l) => l.votes)).toEqual([1]);
  });
});
