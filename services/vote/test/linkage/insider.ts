import { createHash } from 'node:crypto';
import type { DbState } from './db-state';
import type { Evidence } from './election';

/**
 * The insider: someone who can read the stores (a DBA, a Redis operator, a backup holder)
 * but not the ballot key, and who knows the code. Each check follows one trail and says,
 * for every (member, contest) it can place, which ballots the trail leaves possible. A
 * trail LINKS a member to a mark when it leaves fewer than K ballots, or ballots that all
 * carry the same marks, and the member's real marks are among them.
 */

export interface Finding {
  memberId: string;
  contestId: number;
  /** The marks of every ballot this trail leaves possible for the member's ballot. */
  candidates: number[][];
}

export interface Check {
  name: string;
  findings: Finding[];
}

const key = (m: string, c: number) => `${m}:${c}`;
const marksKey = (marks: readonly number[]) => [...marks].sort((a, b) => a - b).join(',');

/** Release groups per contest (ballots written by one transaction), oldest first. */
function groupsOf(state: DbState): Map<number, Array<{ xid: number; ballots: DbState['ballots'] }>> {
  const out = new Map<number, Array<{ xid: number; ballots: DbState['ballots'] }>>();
  for (const b of state.ballots) {
    const list = out.get(b.contest_id) ?? [];
    let g = list.find((x) => x.xid === b.xmin);
    if (!g) list.push((g = { xid: b.xmin, ballots: [] }));
    g.ballots.push(b);
    out.set(b.contest_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.xid - b.xid);
  return out;
}

/** The reserve the insider knows the release keeps (the configuration is no secret). */
const reserveOf = (e: Evidence) => e.run.reserve ?? e.run.K;

/**
 * xmin: the join (a ballot written by the voter's own transaction), and the
 * stronger one — the first transaction that wrote ballots of the contest after the voter's
 * participation row, counting the reserve: after `reserve` more voters of the contest
 * (transaction ids grow with time).
 */
function xminCheck(e: Evidence): Check {
  const groups = groupsOf(e.final);
  const findings: Finding[] = [];
  for (const c of new Set(e.final.participation.map((p) => p.contest_id))) {
    const voters = e.final.participation.filter((p) => p.contest_id === c).sort((a, b) => a.xmin - b.xmin);
    voters.forEach((p, i) => {
      const same = e.final.ballots.filter((b) => b.xmin === p.xmin && b.contest_id === c);
      const after = voters[Math.min(i + reserveOf(e), voters.length - 1)]!.xmin;
      const ballots = same.length ? same : (groups.get(c)?.find((g) => g.xid > after)?.ballots ?? []);
      if (ballots.length) findings.push({ memberId: p.member_id, contestId: c, candidates: ballots.map((b) => b.marks) });
    });
  }
  return { name: 'xmin', findings };
}

/**
 * ctid and insertion order: ballots in heap order against participation rows in the order
 * they were written; the ballot at the voter's rank, widened to the rows its statement
 * wrote together (the code says those are shuffled).
 */
function physicalOrderCheck(e: Evidence): Check {
  const findings: Finding[] = [];
  const contests = new Set(e.final.participation.map((p) => p.contest_id));
  for (const c of contests) {
    const ballots = e.final.ballots.filter((b) => b.contest_id === c).sort((a, b) => a.page - b.page || a.off - b.off);
    const voters = e.final.participation.filter((p) => p.contest_id === c).sort((a, b) => a.xmin - b.xmin || a.page - b.page || a.off - b.off);
    voters.forEach((p, rank) => {
      const at = ballots[rank];
      if (at) findings.push({ memberId: p.member_id, contestId: c, candidates: ballots.filter((b) => b.xmin === at.xmin).map((b) => b.marks) });
    });
  }
  return { name: 'ctid / insertion order', findings };
}

/**
 * Timestamps: a DBA watching the tables (or reading commit times) sees when each
 * participation row and each ballot appears; a voter's ballot is among the first ballots of
 * the contest to appear after their participation row.
 */
function appearanceCheck(e: Evidence): Check {
  const findings: Finding[] = [];
  const seenP = new Set<string>();
  const seenB = new Set<string>();
  const waiting = new Map<number, string[]>();
  for (const s of e.watch) {
    for (const p of s.participation) {
      if (seenP.has(key(p.member_id, p.contest_id))) continue;
      seenP.add(key(p.member_id, p.contest_id));
      waiting.set(p.contest_id, [...(waiting.get(p.contest_id) ?? []), p.member_id]);
    }
    const fresh = s.ballots.filter((b) => !seenB.has(b.id));
    for (const b of fresh) seenB.add(b.id);
    for (const c of new Set(fresh.map((b) => b.contest_id))) {
      const candidates = fresh.filter((b) => b.contest_id === c).map((b) => b.marks);
      // The oldest waiting voters: the newest `reserve` stay sealed (unless it is the close).
      const all = waiting.get(c) ?? [];
      const out = s === e.watch[e.watch.length - 1] ? all.length : Math.max(all.length - reserveOf(e), 0);
      for (const m of all.slice(0, out)) findings.push({ memberId: m, contestId: c, candidates });
      waiting.set(c, all.slice(out));
    }
  }
  return { name: 'timestamps (appearance in time)', findings };
}

/**
 * Receipt hashes: a coercer holds the voter's receipts; the receipts table says when each
 * was released (its row's xmin is the transaction that said so), and the last transaction
 * before it that wrote ballots of that contest released it.
 */
function receiptCheck(e: Evidence): Check {
  const findings: Finding[] = [];
  for (const v of e.voters) {
    for (const [c, receipt] of v.receipts) {
      const hash = createHash('sha256').update(receipt).digest('hex');
      const when = e.watch.find((s) => s.receipts.some((r) => r.hash === hash && r.status !== 'recorded'));
      const row = when?.receipts.find((r) => r.hash === hash);
      if (!when || !row) continue;
      const group = [...(groupsOf(when).get(c) ?? [])].reverse().find((g) => g.xid < row.xmin);
      if (group) findings.push({ memberId: v.memberId, contestId: c, candidates: group.ballots.map((b) => b.marks) });
    }
  }
  return { name: 'receipt hashes', findings };
}

/**
 * Sizes: a sealed ballot is written by its voter's transaction; if sealed ballots of one
 * contest differ in size, the size says how many candidates were marked, which narrows the
 * voter's release group.
 */
function sealedSizeCheck(e: Evidence, base: Check): Check {
  const sizeOf = new Map<string, number>();
  const sizes = new Map<number, Set<number>>();
  for (const s of e.watch) {
    for (const sb of s.sealed) {
      const p = s.participation.find((x) => x.xmin === sb.xmin && x.contest_id === sb.contest_id);
      if (p) sizeOf.set(key(p.member_id, p.contest_id), sb.sealed.length);
      sizes.set(sb.contest_id, (sizes.get(sb.contest_id) ?? new Set()).add(sb.sealed.length));
    }
  }
  const findings = base.findings.map((f) => {
    const size = sizeOf.get(key(f.memberId, f.contestId));
    const all = [...(sizes.get(f.contestId) ?? [])].sort((a, b) => a - b);
    if (size === undefined || all.length < 2) return f;
    // Longer ciphertext, more marks: the n-th size is the n-th mark count.
    const counts = [...new Set(f.candidates.map((m) => m.length))].sort((a, b) => a - b);
    const count = counts[Math.min(all.indexOf(size), counts.length - 1)];
    return { ...f, candidates: f.candidates.filter((m) => m.length === count) };
  });
  return { name: 'sealed ballot sizes', findings };
}

/**
 * The WAL (a holder of the archive, pg_walinspect): the transaction that wrote the voter's
 * participation tuple also wrote sealed tuples; the transactions that later deleted those
 * tuples wrote ballot tuples — their ballots are the candidates (a tuple's slot is followed
 * through reuse in log order).
 */
function walCheck(e: Evidence): Check {
  const tid = (r: { blk: number; off: number }) => `${r.blk}:${r.off}`;
  const inserter = new Map<string, number>();
  const sealedOwner = new Map<string, number>();
  const releasesOf = new Map<number, Set<number>>();
  const ballotTids = new Map<number, string[]>();
  for (const r of e.wal) {
    if (r.relfilenode === e.rel.participation && r.op === 'insert') inserter.set(tid(r), r.xid);
    else if (r.relfilenode === e.rel.sealed_ballots && r.op === 'insert') sealedOwner.set(tid(r), r.xid);
    else if (r.relfilenode === e.rel.sealed_ballots && r.op === 'delete') {
      const owner = sealedOwner.get(tid(r));
      if (owner !== undefined) releasesOf.set(owner, (releasesOf.get(owner) ?? new Set()).add(r.xid));
    } else if (r.relfilenode === e.rel.ballots && r.op === 'insert') ballotTids.set(r.xid, [...(ballotTids.get(r.xid) ?? []), tid(r)]);
  }
  const ballotAt = new Map(e.final.ballots.map((b) => [`${b.page}:${b.off}`, b]));
  const findings: Finding[] = [];
  for (const p of e.final.participation) {
    const x = inserter.get(`${p.page}:${p.off}`);
    if (x === undefined) continue;
    const tids = [...(releasesOf.get(x) ?? [])].flatMap((r) => ballotTids.get(r) ?? []);
    const ballots = tids.map((t) => ballotAt.get(t)).filter((b) => b?.contest_id === p.contest_id);
    if (ballots.length) findings.push({ memberId: p.member_id, contestId: p.contest_id, candidates: ballots.map((b) => b!.marks) });
  }
  return { name: 'WAL', findings };
}

/** Votes in any text (job payloads in the AOF, an RDB, a dead letter): a member id beside marks, in clear or in an envelope that opens without a key. */
function votesIn(name: string, text: string): Check {
  const findings: Finding[] = [];
  for (const m of text.matchAll(/\{"memberId":"\d+"[^{}]*\}/g)) {
    let v: { memberId: string; contestId: number; marks?: number[]; sealed?: string };
    try {
      v = JSON.parse(m[0]);
    } catch {
      continue;
    }
    let marks = v.marks;
    if (!marks && v.sealed) {
      try {
        marks = (JSON.parse(Buffer.from(v.sealed.split('.')[1] ?? '', 'base64url').toString('utf8')) as { marks?: number[] }).marks;
      } catch {
        // Ciphertext: nothing to read.
      }
    }
    if (Array.isArray(marks)) findings.push({ memberId: v.memberId, contestId: v.contestId, candidates: [marks] });
  }
  return { name, findings };
}

/** Log lines: a line that names a member and holds marks (a vote body, selections, candidate ids). */
function logCheck(e: Evidence): Check {
  const findings: Finding[] = [];
  const members = new Set([...e.voters, e.deadVoter].map((v) => v.memberId));
  for (const line of e.logLines) {
    let o: { memberId?: unknown; member_id?: unknown; body?: { selections?: Array<{ contestId: number; candidateIds: number[] }> } };
    try {
      o = JSON.parse(line);
    } catch {
      continue;
    }
    const id = o.memberId ?? o.member_id;
    const m = typeof id === 'string' || typeof id === 'number' ? String(id) : '';
    if (!members.has(m)) continue;
    for (const s of o.body?.selections ?? []) findings.push({ memberId: m, contestId: s.contestId, candidates: [s.candidateIds] });
  }
  return { name: 'log lines', findings };
}

/** Every check the insider runs. */
export function allChecks(e: Evidence): Check[] {
  const xmin = xminCheck(e);
  return [
    xmin,
    physicalOrderCheck(e),
    appearanceCheck(e),
    receiptCheck(e),
    sealedSizeCheck(e, xmin),
    walCheck(e),
    votesIn('AOF (before the rewrite)', e.aofBeforeRewrite.toString('latin1')),
    votesIn('AOF (after the rewrite)', e.aofAfterRewrite.toString('latin1')),
    votesIn('RDB', e.rdb.toString('latin1')),
    votesIn('BullMQ jobs waiting', JSON.stringify(e.queuedJobs)),
    votesIn('dead letters', JSON.stringify(e.deadLetters)),
    votesIn('every Redis key at the end', e.redisDump.join('\n')),
    logCheck(e),
  ];
}

/** The findings that link: fewer than K ballots left, or all with the same marks, and the real marks among them. */
export function links(check: Check, e: Evidence): Finding[] {
  const truth = new Map<string, string>();
  for (const v of [...e.voters, e.deadVoter]) for (const [c, m] of v.marks) truth.set(key(v.memberId, c), marksKey(m));
  return check.findings.filter((f) => {
    const real = truth.get(key(f.memberId, f.contestId));
    const distinct = new Set(f.candidates.map(marksKey));
    return real !== undefined && distinct.has(real) && (f.candidates.length < e.run.K || distinct.size === 1);
  });
}
