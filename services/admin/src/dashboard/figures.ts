import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, currentElectionForAuth } from '@primaries/db';
import { type WindowState, windowState } from '@primaries/domain';
import { type Snapshot, resultsKeys, snapshotSchema } from '@primaries/results-model';

/**
 * The organizer's dashboard figures (issue #12), each read from where the system already
 * keeps it: the election from `elections` (the one the vote service authorizes for), the
 * window by server time (domain's windowState), turnout and the last snapshot from the
 * results snapshot the worker publishes in Redis, the backlog from the BullMQ `votes`
 * queue, dead letters from the `votes-dead` queue (there is no table: docs/voting.md).
 */

export interface ElectionFigures {
  id: number;
  name: string;
  state: WindowState;
  opensAt: string;
  closesAt: string;
}

/** The current election (open now, else the next to open, else the most recent) and its window by server time. */
export async function electionFigures(db: Kysely<Database>, now: Date): Promise<ElectionFigures | null> {
  const current = await currentElectionForAuth(db, now);
  if (!current) return null;
  const e = await db.selectFrom('elections').select(['id', 'name', 'opens_at', 'closes_at', 'opened_at', 'closed_at']).where('id', '=', current.id).executeTakeFirst();
  if (!e) return null;
  const window = { opensAt: new Date(e.opens_at), closesAt: new Date(e.closes_at), openedAt: e.opened_at && new Date(e.opened_at), closedAt: e.closed_at && new Date(e.closed_at) };
  return { id: e.id, name: e.name, state: windowState(window, now), opensAt: window.opensAt.toISOString(), closesAt: window.closesAt.toISOString() };
}

/** The snapshot the results site serves now (the `current` pointer), or null when none was published or it cannot be read. */
export async function currentSnapshot(redis: Redis, prefix: string): Promise<Snapshot | null> {
  const keys = resultsKeys(prefix);
  const current = await redis.get(keys.current);
  if (current === null) return null;
  const raw = await redis.get(keys.version(Number(current)));
  if (raw === null) return null;
  const parsed = snapshotSchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

export function turnoutFigures(snapshot: Snapshot | null): { voted: number; eligible: number; percent: number } {
  const voted = snapshot?.turnout.voted ?? 0;
  const eligible = snapshot?.turnout.eligible ?? 0;
  return { voted, eligible, percent: eligible > 0 ? Math.round((voted / eligible) * 10_000) / 100 : 0 };
}

export function snapshotFigures(snapshot: Snapshot | null, now: Date) {
  if (!snapshot) return null;
  const at = snapshot.generatedAt;
  return { at, ageSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 1000)), final: snapshot.final, version: snapshot.version, electionId: snapshot.electionId };
}

/** Jobs (batches of votes) on the votes queue by state. */
export async function votesQueueFigures(votes: Queue) {
  const c = await votes.getJobCounts('waiting', 'active', 'delayed', 'failed');
  return { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
}

/** Dead letters (jobs on `votes-dead`, nobody processes them) and when the oldest was written. */
export async function deadLetterFigures(dead: Queue): Promise<{ count: number; oldestAt: string | null }> {
  const counts = await dead.getJobCounts('waiting', 'delayed');
  const count = (counts.waiting ?? 0) + (counts.delayed ?? 0);
  if (count === 0) return { count, oldestAt: null };
  // Oldest first (asc): the first of each list is its oldest job.
  const oldest = await Promise.all((['wait', 'delayed'] as const).map((t) => dead.getJobs([t], 0, 0, true)));
  const times = oldest.flat().filter(Boolean).map((j) => j.timestamp);
  return { count, oldestAt: times.length ? new Date(Math.min(...times)).toISOString() : null };
}
