import { checkAuditChain, checkAuditHeads, checkSnapshotChain } from './chain';
import { jcs, sha256 } from './crypto';
import { Site } from './site';
import { type Recount, checkTurnout, compareTally, countBallots, countPaper } from './tally';
import type { ArchiveFile, AuditEvent, Problem, PublicKey, SignedHeader, SnapshotBody } from './types';

export type { Problem } from './types';

export interface VerifyOptions {
  fetch?: typeof fetch;
  /** Public keys (raw, base64url) obtained elsewhere, e.g. from the printed protocols: the site's keys must be among them. */
  pinnedKeys?: readonly string[];
}

export interface Report {
  ok: boolean;
  problems: Problem[];
  /** What was checked, for the reader. */
  notes: string[];
}

/**
 * Verifies a results site from its public files only (docs/verification.md): the signed
 * snapshot chain, the current snapshot against its header, the audit trail and the removed
 * candidates, and, once the archive is out, every contest's tally recomputed from the
 * anonymous ballots and the accepted paper protocols. Every difference is a problem.
 */
export async function verifyResults(url: string, opts: VerifyOptions = {}): Promise<Report> {
  const site = new Site(url, opts.fetch);
  const problems: Problem[] = [];
  const notes: string[] = [];
  const { keys } = await site.json<{ keys: PublicKey[] }>('api/v1/keys');
  if (opts.pinnedKeys) {
    for (const k of keys) if (!opts.pinnedKeys.includes(k.publicKey)) problems.push({ check: 'keys', message: `key "${k.id}" is not one of the keys given with --key` });
  }
  const body = await site.json<SnapshotBody>('api/v1/snapshots/current');
  const { headers, head } = await readChain(site);
  problems.push(...checkSnapshotChain(headers, keys));
  if ((headers[headers.length - 1]?.seq ?? 0) !== head) problems.push({ check: 'chain', message: `the chain ends at snapshot ${headers[headers.length - 1]?.seq ?? 0}, but the site's head is ${head}` });
  notes.push(`${headers.length} signed snapshots, ${keys.length} key(s)`);
  problems.push(...checkCurrent(body, headers));
  const summary = await site.json<{ hash: string | null }>('api/v1/results');
  if (summary.hash !== body.signed?.hash) problems.push({ check: 'snapshot', message: 'GET /api/v1/results names a different snapshot hash from the current snapshot' });

  const events = await readAudit(site);
  problems.push(...checkAuditChain(events), ...checkAuditHeads(headers, events), ...checkRemoved(body, events));
  notes.push(`${events.length} audit events`);
  problems.push(...checkTurnout(body));

  const archive = body.signed?.archive ?? null;
  if (!archive) notes.push('the archive is not published yet (voting not closed): tallies not recomputed');
  else {
    const recount = await readArchive(site, body, archive, problems);
    problems.push(...compareTally(body, recount));
    notes.push(`${archive.length} archive files, ${[...recount.online.values()].reduce((n, c) => n + c.ballots, 0)} online ballots recounted`);
  }
  return { ok: problems.length === 0, problems, notes };
}

async function readChain(site: Site): Promise<{ headers: SignedHeader[]; head: number }> {
  const headers: SignedHeader[] = [];
  for (let after = 0; ; ) {
    const page = await site.json<{ headers: SignedHeader[]; head: number }>(`api/v1/snapshots?after=${after}&limit=1000`);
    headers.push(...page.headers);
    // The site skips a missing header within a page, so the last seq still moves on.
    const last = page.headers[page.headers.length - 1];
    if (!last || last.seq >= page.head) return { headers, head: page.head };
    after = last.seq;
  }
}

async function readAudit(site: Site): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for (let after = 0; ; ) {
    const page = await site.json<{ events: AuditEvent[]; head: { seq: number } }>(`api/v1/audit?after=${after}&limit=1000`);
    events.push(...page.events);
    if (page.events.length === 0 || page.events[page.events.length - 1]!.seq >= page.head.seq) return events;
    after = page.events[page.events.length - 1]!.seq;
  }
}

/** The current snapshot is the chain's last, and its body is what its header hashed. */
function checkCurrent(body: SnapshotBody, headers: readonly SignedHeader[]): Problem[] {
  const h = body.signed;
  if (!h) return [{ check: 'snapshot', message: 'the current snapshot is not signed' }];
  const problems: Problem[] = [];
  const { signed: _signed, ...rest } = body;
  if (sha256(jcs(rest)) !== h.bodyHash) problems.push({ check: 'snapshot', message: `snapshot ${h.seq}: its body does not hash to the bodyHash it was signed with (changed after signing)` });
  const last = headers[headers.length - 1];
  if (!last || last.hash !== h.hash) problems.push({ check: 'snapshot', message: `snapshot ${h.seq}: the current snapshot's header is not the last of the published chain` });
  return problems;
}

/** Removed candidates against the audit trail: removed only by a removal event (and not restored since), and never counted once removed. */
function checkRemoved(body: SnapshotBody, events: readonly AuditEvent[]): Problem[] {
  // The trail in order: a removal (`control.candidate_removed`, or `candidate.removed`) until a restoration on appeal.
  const removedByTrail = new Set<number>();
  for (const e of events) {
    if (!e.subject?.startsWith('candidate:')) continue;
    const id = Number(e.subject.slice('candidate:'.length));
    if (e.action === 'control.candidate_removed' || e.action === 'candidate.removed') removedByTrail.add(id);
    if (e.action === 'control.candidate_restored') removedByTrail.delete(id);
  }
  const problems: Problem[] = [];
  for (const c of body.contests) {
    for (const x of c.candidates) {
      if (x.removed && !removedByTrail.has(x.id)) problems.push({ check: 'removed', message: `candidate ${x.id} (${x.name}) is shown removed, but the audit trail has no removal` });
      if (!x.removed && removedByTrail.has(x.id)) problems.push({ check: 'removed', message: `candidate ${x.id} (${x.name}) was removed (audit trail) but is still on the results as active` });
      if (x.removed && x.votes > 0) problems.push({ check: 'removed', message: `candidate ${x.id} (${x.name}) was removed but is still counted: ${x.votes} votes` });
    }
  }
  return problems;
}

/** Downloads every archive file the signed header names, checks its hash, and recounts. */
async function readArchive(site: Site, body: SnapshotBody, signedFiles: readonly ArchiveFile[], problems: Problem[]): Promise<Recount> {
  const listed = await site.optionalJson<{ files: (ArchiveFile & { url: string })[] }>('api/v1/archive');
  const byName = new Map((listed?.files ?? []).map((f) => [f.name, f]));
  const recount: Recount = { online: new Map(), paper: new Map() };
  const contests = new Map(body.contests.map((c) => [c.id, c]));
  const receipts = new Map<number, number>();
  // Downloaded 8 at a time (a 2020-sized archive has ~400 files), read in the signed order.
  const downloads = new Map<string, Promise<Buffer>>();
  const fetchFrom = (i: number) => {
    const f = signedFiles[i];
    if (!f) return;
    const download = site.bytes(`api/v1/archive/files/${encodeURIComponent(f.name)}`);
    download.catch(() => {}); // awaited in order below; a failure surfaces there
    downloads.set(f.name, download);
  };
  for (let i = 0; i < 8; i++) fetchFrom(i);
  for (const [i, f] of signedFiles.entries()) {
    if (byName.get(f.name)?.sha256 !== f.sha256) problems.push({ check: 'archive', message: `${f.name}: GET /api/v1/archive lists another SHA-256 than the signed snapshot` });
    const bytes = await downloads.get(f.name)!;
    downloads.delete(f.name);
    fetchFrom(i + 8);
    if (sha256(bytes) !== f.sha256) problems.push({ check: 'archive', message: `${f.name}: the file's SHA-256 is not the one the snapshot signed (the file was changed)` });
    const text = bytes.toString('utf8');
    const contest = f.contestId === null ? undefined : contests.get(f.contestId);
    if (f.kind === 'ballots' && contest) recount.online.set(contest.id, countBallots(contest, text, problems));
    else if (f.kind === 'receipts' && f.contestId !== null) receipts.set(f.contestId, text.split('\n').filter(Boolean).length - 1);
    else if (f.kind === 'paper-protocols') recount.paper = countPaper(text);
    else problems.push({ check: 'archive', message: `${f.name}: names contest ${f.contestId}, which the snapshot does not have` });
  }
  for (const c of body.contests) {
    const n = recount.online.get(c.id)?.ballots ?? 0;
    if ((receipts.get(c.id) ?? 0) !== n) problems.push({ check: 'archive', message: `contest ${c.id}: ${receipts.get(c.id) ?? 0} counted receipts but ${n} ballots` });
  }
  return recount;
}
