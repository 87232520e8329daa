import { randomInt } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Counter, Histogram } from 'prom-client';
import {
  type Database,
  forgetRecordedVotes,
  insertOnlineParticipation,
  insertReceipts,
  insertSealedBallots,
  knownReceiptHashes,
  noteRecordedVotes,
  recordedVotesOf,
} from '@primaries/db';
import { settleReceipts, settleVoteBatch } from '@primaries/redis-protocols';
import { type Sealer, parseSealed } from '@primaries/sealing';
import { deadLetterByReason } from './dead-letters';
import { type GoodVote, sortOut } from './sort-out';

/**
 * Records one batch of votes in two transactions: (1) the participation rows (who took
 * part, ON CONFLICT DO NOTHING) and, for the pairs that were new, the SEALED contest
 * ballots (no member reference), shuffled, plus a note of which votes it recorded; (2) the
 * receipts of those votes. Opening and counting is the release step's business
 * (release/release.ts). A retried batch ends in the same state as one that ran once.
 */

export interface RecordVotesMetrics {
  recorded: Counter;
  duplicates: Counter;
  dead: Counter<'reason'>;
  batchSeconds: Histogram;
}

export interface RecordVotesDeps {
  db: Kysely<Database>;
  /** Plain-command Redis client (receipt markers, backlog counter). */
  redis: Redis;
  redisPrefix: string;
  dead: Queue;
  metrics: RecordVotesMetrics;
  /** Opens sealed ballots to check them (key known, authentic, right contest, real candidates). */
  sealer: Sealer;
  /** contest id → candidate ids; filled on demand, refreshed on a miss. */
  candidates: Map<number, Set<number>>;
}

export interface BatchOutcome {
  recorded: number;
  /** Votes whose member had already taken part in that contest (retry, paper, double submit). */
  duplicates: number;
  dead: number;
  /** Contests that got new sealed ballots (the release step may have a group to release). */
  contests: number[];
}

/** Fisher–Yates with crypto randomness: row order must not follow arrival order. */
export function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The same (member, contest) twice in one batch keeps the first; sorted so concurrent batches lock in one order. */
function uniquePairs(good: readonly GoodVote[]): GoodVote[] {
  const seen = new Set<string>();
  return good
    .slice()
    .sort(({ vote: a }, { vote: b }) => (a.memberId === b.memberId ? a.contestId - b.contestId : a.memberId.length - b.memberId.length || (a.memberId < b.memberId ? -1 : 1)))
    .filter(({ vote: v }) => {
      const k = `${v.memberId}:${v.contestId}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

/** Transaction 1: participation, the sealed ballots of the new pairs (shuffled), the note. Returns the indexes recorded. */
async function recordSealed(db: Kysely<Database>, batchId: string, good: readonly GoodVote[]): Promise<number[]> {
  const unique = uniquePairs(good);
  return db.transaction().execute(async (trx) => {
    const inserted = await insertOnlineParticipation(trx, unique.map((g) => g.vote.memberId), unique.map((g) => g.vote.contestId));
    const mine = unique.filter(({ vote: v }) => inserted.has(`${v.memberId}:${v.contestId}`));
    await insertSealedBallots(trx, shuffle(mine.map(({ vote: v }) => ({ contestId: v.contestId, ...parseSealed(v.sealed) }))));
    const indexes = mine.map((g) => g.index).sort((a, b) => a - b);
    await noteRecordedVotes(trx, batchId, indexes);
    return indexes;
  });
}

/** Redis markers: a recorded receipt loses its queued marker; one never recorded was refused. */
async function settleMarkers(deps: RecordVotesDeps, raw: unknown[]): Promise<void> {
  const receipts = [...new Set(raw.map((v) => (v as { receiptHash?: unknown })?.receiptHash).filter((h): h is string => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h)))];
  const known = await knownReceiptHashes(deps.db, receipts);
  await settleReceipts(deps.redis, deps.redisPrefix, receipts.filter((h) => known.has(h)), receipts.filter((h) => !known.has(h)));
}

/**
 * Records one batch: safe to run again on the same input (a retry after a crash before,
 * between or after its transactions ends in the same state). Exported for tests and replays.
 */
export async function recordVoteBatch(deps: RecordVotesDeps, batchId: string, raw: unknown[]): Promise<BatchOutcome> {
  const { good, bad } = await sortOut(deps, raw);
  await deadLetterByReason({ dead: deps.dead, deadCounter: deps.metrics.dead }, batchId, bad);

  // A retry after transaction 1 committed reads what it recorded back instead of guessing.
  const earlier = await recordedVotesOf(deps.db, batchId);
  const recorded = new Set(earlier ?? (await recordSealed(deps.db, batchId, good)));
  const mine = good.filter((g) => recorded.has(g.index));

  // Transaction 2: the receipts, never in the transaction of the ballots they stand for.
  await deps.db.transaction().execute(async (trx) => {
    await insertReceipts(trx, mine.map(({ vote: v }) => ({ hash: v.receiptHash, contestId: v.contestId })), 'recorded');
    await forgetRecordedVotes(trx, batchId);
  });
  await settleMarkers(deps, raw);
  await settleVoteBatch(deps.redis, deps.redisPrefix, batchId, raw.length);

  // A retry after the commit reports what the crashed try recorded but never counted.
  deps.metrics.recorded.inc(recorded.size);
  deps.metrics.duplicates.inc(good.length - recorded.size);
  const contests = [...new Set(mine.map((g) => g.vote.contestId))];
  return { recorded: recorded.size, duplicates: good.length - recorded.size, dead: bad.length, contests };
}
