import type { Kysely } from 'kysely';
import { type Database, appendAuditEvent, insertBallots, lockContestForRelease, markReceiptsReleased, pendingByContest, takeSealedBallots } from '@primaries/db';
import type { Sealer } from '@primaries/sealing';
import { shuffle } from '../voting/record-batch';

/**
 * The release step (issue #9): opens sealed contest ballots and moves them into `ballots`
 * in groups of at least K per contest, each group in ONE transaction that touches nothing
 * but the group's sealed rows (deleted) and its new ballot rows (inserted in a
 * cryptographically shuffled order, random ids). So every system column of a ballot —
 * xmin, ctid, its place in the heap, the commit's time — points at its group, never at
 * one voter's transaction. Receipts learn it afterwards, in a transaction of their own.
 */

/** Who the worker's lifecycle events name as their actor. */
export const SYSTEM_WORKER = { role: 'system', id: 'worker' } as const;

/** Largest group in one transaction; a contest with more waiting is released in several. */
const MAX_RELEASE_GROUP = 5000;

export interface ReleaseDeps {
  db: Kysely<Database>;
  sealer: Sealer;
}

export interface ReleaseOptions {
  /** K: the smallest group released while voting goes on (BALLOT_RELEASE_MIN). */
  min: number;
  /** Sealed ballots per contest kept back while voting goes on (BALLOT_RELEASE_RESERVE; default K). */
  reserve?: number;
  /** Contests whose voting is over: everything left is released, however few. */
  final?: ReadonlySet<number>;
  maxGroup?: number;
}

export interface ReleaseSummary {
  released: number;
  groups: number;
  /** Contests whose sealed ballots could not be released (a key missing from BALLOT_KEYS). */
  failed: number[];
}

/**
 * Size of the next group, 0 for none. While voting goes on, a reserve (K by default) stays
 * sealed: a group is released once K wait beyond it (2K in all), so that at the close the
 * last group — the reserve and whatever came after — also holds at least K (a contest with
 * fewer than K voters excepted). At the close everything goes, in groups of at most
 * maxGroup that leave at least K for the next.
 */
export function groupSize(pending: number, opts: { min: number; reserve?: number; maxGroup?: number }, final: boolean): number {
  const { min, reserve = min, maxGroup = MAX_RELEASE_GROUP } = opts;
  if (final) return pending < maxGroup + min ? pending : maxGroup;
  return pending - reserve >= min ? Math.min(maxGroup, pending - reserve) : 0;
}

/** Ballots opened and inserted at a time within a group: Postgres inserts one chunk while this process opens the next. */
const INSERT_CHUNK = 1000;

/**
 * The group's transaction: the contest's advisory lock, its count, the delete of n sealed
 * rows, and the insert of their ballots, opened and shuffled. Returns the group's receipt
 * hashes (for the caller to mark released after the commit, apart), or null when no group
 * is ready. Throws (and keeps every sealed ballot) when one cannot be opened.
 *
 * The sealed rows are shuffled before they are opened and go in in that order, a chunk at a
 * time, each chunk's insert running while the next one is opened: the group's rows are a
 * random permutation of it, as one shuffled insert would make them, in the same transaction.
 */
async function releaseGroupTransaction(deps: ReleaseDeps, contestId: number, opts: ReleaseOptions): Promise<string[] | null> {
  const final = opts.final?.has(contestId) ?? false;
  return deps.db.transaction().execute(async (trx) => {
    const n = groupSize(await lockContestForRelease(trx, contestId), opts, final);
    if (n === 0) return null;
    const sealed = shuffle(await takeSealedBallots(trx, contestId, n));
    const receipts: string[] = [];
    let inserting: Promise<unknown> = Promise.resolve();
    for (let i = 0; i < sealed.length; i += INSERT_CHUNK) {
      const ballots = sealed.slice(i, i + INSERT_CHUNK).map((s) => {
        const b = deps.sealer.openRow(contestId, s);
        receipts.push(b.receiptHash);
        return { contestId, marks: b.marks };
      });
      await inserting;
      inserting = insertBallots(trx, ballots);
      inserting.catch(() => {}); // awaited before the next chunk or the commit; never unhandled meanwhile
      // Let the query reach the socket before opening the next chunk (a macrotask: the driver's write is a few promises away).
      await new Promise((resolve) => setImmediate(resolve));
    }
    await inserting;
    return receipts;
  });
}

/**
 * Releases one group of a contest, or nothing when none is ready (groupSize), then marks
 * its receipts released. Throws (and keeps every sealed ballot) when one cannot be opened.
 */
export async function releaseGroup(deps: ReleaseDeps, contestId: number, opts: ReleaseOptions): Promise<number> {
  const receipts = await releaseGroupTransaction(deps, contestId, opts);
  if (!receipts) return 0;
  // After the commit, apart: a crash right here leaves them `recorded`, and the sweep
  // (sweep.ts) finds them released before the next tally.
  await markReleasedAndRecord(deps.db, contestId, receipts, opts.final?.has(contestId) ?? false);
  return receipts.length;
}

/**
 * A group's receipts say `released`, and the release goes into the audit trail (issue #12),
 * in one transaction: both or neither. Not in the group's own transaction, on purpose: that
 * one touches nothing but the group's rows, so no other row shares its xmin (issue #9). The
 * event says how many ballots of which contest, never which.
 */
async function markReleasedAndRecord(db: Kysely<Database>, contestId: number, receipts: readonly string[], final: boolean): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await markReceiptsReleased(trx, receipts);
    // Last, so the trail's lock is held only until the commit.
    await appendAuditEvent(trx, { actor: SYSTEM_WORKER, action: 'ballots.released', subject: `contest:${contestId}`, reason: `${receipts.length} sealed ballots opened and released into the count${final ? ' (voting over)' : ''}` });
  });
}

/** Contests released at once: one opens ballots in this process while another's rows go into Postgres. */
const RELEASE_CONCURRENCY = 3;

/** Releases every group that is ready (among `contestIds`, or all): contests with K sealed ballots beyond the reserve, and all of the `final` ones. */
export async function releaseReady(deps: ReleaseDeps, opts: ReleaseOptions, contestIds?: readonly number[]): Promise<ReleaseSummary> {
  const summary: ReleaseSummary = { released: 0, groups: 0, failed: [] };
  const pending = await pendingByContest(deps.db, contestIds);
  const ready = [...pending].filter(([contestId, n]) => groupSize(n, opts, opts.final?.has(contestId) ?? false) > 0).map(([contestId]) => contestId);
  const releaseContest = async (contestId: number) => {
    // Each group's receipts are marked released (after its commit, apart, as releaseGroup
    // does) while the contest's next group is in its transaction: one update in flight.
    let marking: Promise<unknown> = Promise.resolve();
    try {
      for (let receipts = await releaseGroupTransaction(deps, contestId, opts); receipts; receipts = await releaseGroupTransaction(deps, contestId, opts)) {
        await marking;
        summary.released += receipts.length;
        summary.groups++;
        marking = markReleasedAndRecord(deps.db, contestId, receipts, opts.final?.has(contestId) ?? false);
        marking.catch(() => {}); // awaited below or in the finally; never unhandled meanwhile
      }
    } catch (err) {
      if ((err as Error).name !== 'SealError') throw err;
      summary.failed.push(contestId);
    } finally {
      await marking;
    }
  };
  const lanes = Array.from({ length: Math.min(RELEASE_CONCURRENCY, ready.length) }, async () => {
    for (let c = ready.shift(); c !== undefined; c = ready.shift()) await releaseContest(c);
  });
  await Promise.all(lanes);
  return summary;
}
