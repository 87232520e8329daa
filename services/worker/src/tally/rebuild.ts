import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, beginCountingReceipts, finishCountingReceipts, withRebuildLock } from '@primaries/db';
import type { SigningKey } from '@primaries/sealing';
import type { TallyJobResult } from '@primaries/queue';
import { readVoteBacklog } from '@primaries/redis-protocols';
import { windowState } from '@primaries/domain';
import type { Snapshot } from '@primaries/results-model';
import { publishAuditTrail } from '@primaries/audit';
import type { Releaser } from '../release/releaser';
import { type BuildOptions, buildSnapshot, findElection } from './build-snapshot';
import { publishSnapshot } from './publish-snapshot';
import { recordWindowEvents } from './lifecycle';
import { publishVerifiable } from './publish-verifiable';
import { ensureProtocols } from './protocols';

export interface RebuildOptions extends Omit<BuildOptions, 'queued'> {
  /**
   * The release step, run before the tally (issue #9): groups of K, and everything once the
   * election is closed and the votes queue is empty. null only where no ballot is sealed
   * (tests of the counting rules that write `ballots` directly).
   */
  releaser: Releaser | null;
  /**
   * The election's signing key (issue #16): every snapshot is then signed, chained and, after
   * the close, published with the public archive. Unsigned only in tests that predate it.
   */
  signer?: SigningKey | null;
}

/** After the close, the remainder waits at most this long for the votes queue to empty (a backlog counter gone wrong must not hold it forever). */
const FINAL_RELEASE_GRACE_MS = 15 * 60_000;

/**
 * The contests whose remainder is released whatever its size: all of a closed election once
 * nothing is queued (the last votes join the last group), or once the grace period is over.
 */
async function finalContests(db: Kysely<Database>, queued: number, opts: RebuildOptions): Promise<Set<number>> {
  const election = await findElection(db, opts.electionId);
  const now = opts.now ?? new Date();
  if (!election) return new Set();
  const window = { opensAt: new Date(election.opens_at), closesAt: new Date(election.closes_at), openedAt: election.opened_at && new Date(election.opened_at), closedAt: election.closed_at && new Date(election.closed_at) };
  if (windowState(window, now) !== 'closed') return new Set();
  const closedAt = Math.min(window.closesAt.getTime(), window.closedAt?.getTime() ?? Infinity);
  if (queued > 0 && now.getTime() - closedAt < FINAL_RELEASE_GRACE_MS) return new Set();
  const rows = await db.selectFrom('contests').select('id').where('election_id', '=', election.id).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Releases what is ready, builds the snapshot and publishes it; `snapshot` is null when
 * there is no election yet. Receipts released before the build say `counted` once the
 * snapshot is published (a failed build leaves them `counting`, and the next published
 * one counts them).
 *
 * One at a time across every worker process (issue #17, an advisory lock): two at once
 * could publish the older build last, or mark counted receipts the other one began.
 */
export function rebuildResults(db: Kysely<Database>, redis: Redis, prefix: string, opts: RebuildOptions): Promise<TallyJobResult & { snapshot: Snapshot | null }> {
  return withRebuildLock(db, () => rebuildUnlocked(db, redis, prefix, opts));
}

async function rebuildUnlocked(db: Kysely<Database>, redis: Redis, prefix: string, opts: RebuildOptions): Promise<TallyJobResult & { snapshot: Snapshot | null }> {
  const started = performance.now();
  const { releaser, signer, ...build } = opts;
  // The window's opening and closing go into the audit trail when first seen (issue #12).
  const election = await findElection(db, opts.electionId);
  if (election) await recordWindowEvents(db, election.id, opts.now ?? new Date());
  const queued = await readVoteBacklog(redis, prefix);
  if (releaser) await releaser.releaseNow(await finalContests(db, queued, opts));
  await beginCountingReceipts(db);
  const built = await buildSnapshot(db, { ...build, queued });
  // The audit trail goes out with every snapshot, and the snapshot names its head (issue #12).
  const auditHead = await publishAuditTrail(db, redis, prefix);
  const draft = built && { ...built, auditHead };
  let snapshot: Snapshot | null = null;
  if (draft && signer) snapshot = await publishVerifiable(db, redis, prefix, draft, signer);
  else if (draft) {
    snapshot = await publishSnapshot(redis, prefix, draft);
    await finishCountingReceipts(db);
  }
  // Published results: each contest's protocol, made once from the first final snapshot (issue #13).
  if (snapshot?.final) await ensureProtocols(db, redis, prefix, snapshot);
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
