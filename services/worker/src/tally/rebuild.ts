import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, beginCountingReceipts, finishCountingReceipts } from '@primaries/db';
import type { TallyJobResult } from '@primaries/queue';
import { readVoteBacklog } from '@primaries/redis-protocols';
import type { Snapshot } from '@primaries/results-model';
import type { Releaser } from '../release/releaser';
import { type BuildOptions, buildSnapshot, findElection } from './build-snapshot';
import { publishSnapshot } from './publish-snapshot';

export interface RebuildOptions extends Omit<BuildOptions, 'queued'> {
  /**
   * The release step, run before the tally (issue #9): groups of K, and everything once the
   * election is closed and the votes queue is empty. null only where no ballot is sealed
   * (tests of the counting rules that write `ballots` directly).
   */
  releaser: Releaser | null;
}

/** The contests whose remainder is released whatever its size: all of a closed election once nothing is queued. */
async function finalContests(db: Kysely<Database>, queued: number, opts: RebuildOptions): Promise<Set<number>> {
  const election = await findElection(db, opts.electionId);
  const now = opts.now ?? new Date();
  if (!election || queued > 0 || (election.closed_at === null && now < new Date(election.closes_at))) return new Set();
  const rows = await db.selectFrom('contests').select('id').where('election_id', '=', election.id).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Releases what is ready, builds the snapshot and publishes it; `snapshot` is null when
 * there is no election yet. Receipts released before the build say `counted` once the
 * snapshot is published (a failed build leaves them `counting`, and the next published
 * one counts them).
 */
export async function rebuildResults(db: Kysely<Database>, redis: Redis, prefix: string, opts: RebuildOptions): Promise<TallyJobResult & { snapshot: Snapshot | null }> {
  const started = performance.now();
  const { releaser, ...build } = opts;
  const queued = await readVoteBacklog(redis, prefix);
  if (releaser) await releaser.releaseNow(await finalContests(db, queued, opts));
  await beginCountingReceipts(db);
  const draft = await buildSnapshot(db, { ...build, queued });
  const snapshot = draft ? await publishSnapshot(redis, prefix, draft) : null;
  if (snapshot) await finishCountingReceipts(db);
  return {
    version: snapshot?.version ?? null,
    electionId: snapshot?.electionId ?? null,
    buildMs: draft?.buildMs ?? 0,
    totalMs: Math.round(performance.now() - started),
    snapshot,
  };
}

export { buildSnapshot, findElection } from './build-snapshot';
export { publishSnapshot } from './publish-snapshot';
