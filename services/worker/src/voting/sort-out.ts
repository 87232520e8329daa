import type { Kysely } from 'kysely';
import { type Database, candidateIdsByContest, existingMemberIds } from '@primaries/db';
import { type QueuedVote, queuedVoteSchema } from '@primaries/queue';
import { SealError, type Sealer } from '@primaries/sealing';

/** A vote that can be recorded, and where it sits in the job's list. */
export interface GoodVote {
  vote: QueuedVote;
  index: number;
}

export interface BadVote {
  vote: unknown;
  reason: string;
}

export interface SortOutDeps {
  db: Kysely<Database>;
  sealer: Sealer;
  /** contest id → candidate ids; filled on demand, refreshed on a miss. */
  candidates: Map<number, Set<number>>;
}

/** Opens a vote's sealed ballot to check it; the marks stay in this function's memory only. */
function opened(sealer: Sealer, v: QueuedVote): { marks: number[] } | { reason: string } {
  try {
    const b = sealer.open(v.contestId, v.sealed);
    // The receipt in clear must be the one sealed inside (no swapping receipts between votes).
    if (b.receiptHash !== v.receiptHash) return { reason: 'receipt mismatch' };
    return { marks: b.marks };
  } catch (err) {
    if (err instanceof SealError) return { reason: 'unopenable ballot' };
    throw err;
  }
}

async function refreshCandidates(deps: SortOutDeps, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const loaded = await candidateIdsByContest(deps.db, ids);
  for (const [id, set] of loaded) if (set.size > 0) deps.candidates.set(id, set);
}

/**
 * Splits a batch into votes that can be recorded and votes that never can: malformed, a
 * sealed ballot this worker cannot open (unknown key, altered, moved to another contest),
 * an unknown contest, member or candidate, a mark twice.
 */
export async function sortOut(deps: SortOutDeps, raw: unknown[]): Promise<{ good: GoodVote[]; bad: BadVote[] }> {
  const bad: BadVote[] = [];
  const parsed: Array<GoodVote & { marks: number[] }> = [];
  raw.forEach((v, index) => {
    const r = queuedVoteSchema.safeParse(v);
    if (!r.success) return void bad.push({ vote: v, reason: 'malformed vote' });
    const o = opened(deps.sealer, r.data);
    if ('reason' in o) bad.push({ vote: r.data, reason: o.reason });
    else parsed.push({ vote: r.data, index, marks: o.marks });
  });
  const contestIds = [...new Set(parsed.map((g) => g.vote.contestId))];
  await refreshCandidates(deps, contestIds.filter((id) => !deps.candidates.has(id)));
  // A mark not in the cached list: reload those contests once (a candidate added late).
  await refreshCandidates(
    deps,
    contestIds.filter((id) => {
      const set = deps.candidates.get(id);
      return set && parsed.some((g) => g.vote.contestId === id && g.marks.some((m) => !set.has(m)));
    }),
  );
  const members = await existingMemberIds(deps.db, [...new Set(parsed.map((g) => g.vote.memberId))]);
  const good: GoodVote[] = [];
  for (const { vote, index, marks } of parsed) {
    const cands = deps.candidates.get(vote.contestId);
    if (!cands) bad.push({ vote, reason: 'unknown contest' });
    else if (!members.has(vote.memberId)) bad.push({ vote, reason: 'unknown member' });
    else if (marks.length === 0 || marks.some((m) => !cands.has(m))) bad.push({ vote, reason: 'unknown candidate' });
    else if (new Set(marks).size !== marks.length) bad.push({ vote, reason: 'duplicate mark' });
    else good.push({ vote, index });
  }
  return { good, bad };
}
