import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, beginCountingReceipts, finishCountingReceipts } from '@primaries/db';
import type { TallyJobResult } from '@primaries/queue';
import type { Snapshot } from '@primaries/results-model';
import { type BuildOptions, buildSnapshot } from './build-snapshot';
import { publishSnapshot } from './publish-snapshot';

/**
 * Builds the snapshot and publishes it; `snapshot` is null when there is no election yet.
 * Receipts released before the build say `counted` once the snapshot is published (a failed
 * build leaves them `counting`, and the next published one counts them).
 */
export async function rebuildResults(
  db: Kysely<Database>,
  redis: Redis,
  prefix: string,
  opts: BuildOptions = {},
): Promise<TallyJobResult & { snapshot: Snapshot | null }> {
  const started = performance.now();
  await beginCountingReceipts(db);
  const draft = await buildSnapshot(db, opts);
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
