import { randomUUID } from 'node:crypto';
import { type Job, Queue } from 'bullmq';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Redis } from 'ioredis';
import { loadConfig } from '@primaries/config';
import { type DeadVotes, QUEUES, VOTE_BATCH_JOB, bullPrefix, jobId, voteBatchJobOptions } from '@primaries/queue';
import { countQueuedVotes, settleReceipts, uncountQueuedVotes } from '@primaries/redis-protocols';
import { closeRedis, cliRedis } from '../stores';

/**
 * `primaries dead-letters list|retry|purge`: the votes the worker could never record
 * (queue `votes-dead`). They hold member ids beside SEALED ballots; this command never
 * prints either — only ids, reasons, counts per contest and ages. They expire by
 * themselves after DEAD_LETTER_TTL_SECONDS (the worker removes them).
 */

interface DeadLetterLine {
  id: string;
  reason: string;
  votes: number;
  /** Votes per contest id. */
  contests: Record<string, number>;
  ageSeconds: number;
}

function summary(job: Job<DeadVotes>, now: number): DeadLetterLine {
  const votes = Array.isArray(job.data?.votes) ? job.data.votes : [];
  const contests: Record<string, number> = {};
  for (const v of votes) {
    const c = (v as { contestId?: unknown })?.contestId;
    const k = typeof c === 'number' ? String(c) : '?';
    contests[k] = (contests[k] ?? 0) + 1;
  }
  return { id: String(job.id), reason: String(job.data?.reason ?? '?'), votes: votes.length, contests, ageSeconds: Math.round((now - job.timestamp) / 1000) };
}

async function deadJobs(dead: Queue<DeadVotes>, ids: readonly string[]): Promise<Array<Job<DeadVotes>>> {
  if (ids.length === 0) return dead.getJobs(['waiting', 'delayed'], 0, -1, true);
  const jobs = await Promise.all(ids.map((id) => dead.getJob(id)));
  const missing = ids.filter((_, i) => !jobs[i]);
  if (missing.length) throw new Error(`no dead letter ${missing.join(', ')}`);
  return jobs as Array<Job<DeadVotes>>;
}

/** The dead letters, oldest first, without member ids or sealed ballots. */
export async function listDeadLetters(dead: Queue<DeadVotes>, now = Date.now()): Promise<DeadLetterLine[]> {
  return (await deadJobs(dead, [])).map((j) => summary(j, now)).sort((a, b) => b.ageSeconds - a.ageSeconds);
}

/**
 * Sends dead letters back to the votes queue as new batches (the worker records what it
 * now can; a vote already recorded is a duplicate, one that still fails comes back as a
 * new dead letter), then removes them. Returns the votes sent back.
 */
export async function retryDeadLetters(dead: Queue<DeadVotes>, votes: Queue, redis: Redis, redisPrefix: string, ids: readonly string[]): Promise<number> {
  let sent = 0;
  for (const job of await deadJobs(dead, ids)) {
    const batch = Array.isArray(job.data?.votes) ? job.data.votes : [];
    if (batch.length) {
      const batchId = randomUUID();
      await countQueuedVotes(redis, redisPrefix, batch.length);
      try {
        await votes.add(VOTE_BATCH_JOB, { batchId, votes: batch }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
      } catch (err) {
        await uncountQueuedVotes(redis, redisPrefix, batch.length);
        throw err;
      }
      sent += batch.length;
    }
    await job.remove();
  }
  return sent;
}

/**
 * Removes dead letters for good (given ids, all, or those older than a given age) and marks
 * their receipts rejected, so their voters see that their ballot was not recorded. Returns
 * how many dead letters were removed.
 */
export async function purgeDeadLetters(dead: Queue<DeadVotes>, redis: Redis, redisPrefix: string, ids: readonly string[], olderThanSeconds?: number): Promise<number> {
  const now = Date.now();
  const jobs = (await deadJobs(dead, ids)).filter((j) => olderThanSeconds === undefined || now - j.timestamp >= olderThanSeconds * 1000);
  for (const job of jobs) {
    const hashes = (Array.isArray(job.data?.votes) ? job.data.votes : [])
      .map((v) => (v as { receiptHash?: unknown })?.receiptHash)
      .filter((h): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h));
    await settleReceipts(redis, redisPrefix, [], hashes);
    await job.remove();
  }
  return jobs.length;
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of seconds');
  return n;
}

async function withQueues<T>(fn: (q: { dead: Queue<DeadVotes>; votes: Queue; redis: Redis; prefix: string }) => Promise<T>): Promise<T> {
  const config = loadConfig('worker');
  const redis = cliRedis(config, { blocking: true });
  const prefix = bullPrefix(config.REDIS_PREFIX);
  const dead = new Queue<DeadVotes>(QUEUES.votesDead, { connection: redis, prefix });
  const votes = new Queue(QUEUES.votes, { connection: redis, prefix });
  try {
    return await fn({ dead, votes, redis, prefix: config.REDIS_PREFIX });
  } finally {
    await dead.close();
    await votes.close();
    closeRedis(redis);
  }
}

export function registerDeadLetterCommands(program: Command): void {
  const cmd = program.command('dead-letters').description('Votes the worker could not record (kept sealed; expire after DEAD_LETTER_TTL_SECONDS)');
  cmd
    .command('list')
    .description('List dead letters: id, reason, votes per contest, age (never a member id or a ballot)')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { json?: boolean }) => {
      const lines = await withQueues(({ dead }) => listDeadLetters(dead));
      if (lines.length === 0) console.log('no dead letters');
      for (const l of lines) {
        if (opts.json) console.log(JSON.stringify(l));
        else console.log(`${l.id}  ${l.reason}  ${l.votes} vote(s)  contests ${Object.entries(l.contests).map(([c, n]) => `${c}×${n}`).join(' ')}  ${l.ageSeconds}s old`);
      }
    });
  cmd
    .command('retry')
    .argument('[ids...]', 'dead letter ids (from list)')
    .option('--all', 'every dead letter')
    .description('Send dead letters back to the votes queue and remove them')
    .action(async (ids: string[], opts: { all?: boolean }) => {
      if (!ids.length && !opts.all) throw new InvalidArgumentError('give dead letter ids, or --all');
      const sent = await withQueues(({ dead, votes, redis, prefix }) => retryDeadLetters(dead, votes, redis, prefix, opts.all ? [] : ids));
      console.log(`${sent} vote(s) sent back to the votes queue`);
    });
  cmd
    .command('purge')
    .argument('[ids...]', 'dead letter ids (from list)')
    .option('--all', 'every dead letter')
    .option('--older-than <seconds>', 'only those older than this', seconds)
    .description('Remove dead letters for good; their receipts then say rejected')
    .action(async (ids: string[], opts: { all?: boolean; olderThan?: number }) => {
      if (!ids.length && !opts.all && opts.olderThan === undefined) throw new InvalidArgumentError('give dead letter ids, --all or --older-than');
      const n = await withQueues(({ dead, redis, prefix }) => purgeDeadLetters(dead, redis, prefix, opts.all || !ids.length ? [] : ids, opts.olderThan));
      console.log(`${n} dead letter(s) purged`);
    });
}
