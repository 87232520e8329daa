import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  type Database, type PaperProtocolEntry, type ProtocolInput, type Staff, type StationView, appendAuditEvent, countContestCheckins, decideProtocol, findProtocol,
  lockProtocol, protocolEntries, saveProtocolEntry, saveProtocolScan, stationContestIds, submitProtocol,
} from '@primaries/db';
import { type ProtocolFigures, type ProtocolProblem, checkProtocol, paperWindowState, protocolEntriesMatch } from '@primaries/domain';
import { PaperErrors } from './errors';

/** The protocol's figures fail their control relations: a 422 with each problem. */
export class ProtocolProblems extends Error {
  constructor(readonly problems: ProtocolProblem[]) {
    super('protocol problems');
  }
}

const actorOf = (staff: Staff) => ({ role: staff.role, id: String(staff.id) });
const figures = (p: ProtocolInput): ProtocolFigures => ({ received: p.received, issued: p.issued, found: p.found, spoiled: p.spoiled, votes: new Map(Object.entries(p.votes).map(([k, v]) => [Number(k), v])) });
const entryInput = (e: PaperProtocolEntry): ProtocolInput => ({ received: e.ballots_received, issued: e.ballots_issued, found: e.ballots_found, spoiled: e.ballots_spoiled, votes: e.votes });

/** The contest's rules and the station's check-ins for it, and the relations checked against them. */
async function checkAgainstStation(db: Kysely<Database>, station: StationView, contestId: number, p: ProtocolInput): Promise<void> {
  if (!(await stationContestIds(db, station.id)).includes(contestId)) throw new PaperErrors.NOT_YOUR_CONTEST(contestId);
  const contest = await db.selectFrom('contests').select('max_choices').where('id', '=', contestId).executeTakeFirstOrThrow();
  const candidates = await db.selectFrom('candidates').select('id').where('contest_id', '=', contestId).execute();
  const checkins = await countContestCheckins(db, station.id, contestId);
  const problems = checkProtocol(figures(p), { maxChoices: contest.max_choices, checkins, candidateIds: candidates.map((c) => c.id) });
  if (problems.length) throw new ProtocolProblems(problems);
}

/** Refuses changes once the station's protocol for the contest is submitted or accepted, and before the station closes. */
async function assertEditable(db: Kysely<Database>, station: StationView, contestId: number): Promise<void> {
  if (paperWindowState(station) !== 'closed') throw new PaperErrors.STATION_NOT_CLOSED();
  const existing = await findProtocol(db, station.id, contestId);
  if (existing && (existing.status === 'submitted' || existing.status === 'accepted')) throw new PaperErrors.PROTOCOL_STATE(existing.status);
}

/** One commission account's entry of the protocol (checked, then saved; audited). Answers whether two accounts' entries now agree. */
export async function enterProtocol(db: Kysely<Database>, staff: Staff, station: StationView, contestId: number, p: ProtocolInput): Promise<{ entries: number; matching: boolean }> {
  await assertEditable(db, station, contestId);
  await checkAgainstStation(db, station, contestId, p);
  await db.transaction().execute(async (trx) => {
    await saveProtocolEntry(trx, station.id, contestId, staff.id, p);
    await appendAuditEvent(trx, { actor: actorOf(staff), action: 'paper.protocol-entered', subject: `station:${station.id}`, reason: `contest ${contestId}`, electionId: station.electionId });
  });
  const entries = await protocolEntries(db, station.id, contestId);
  return { entries: entries.length, matching: entries.length >= 2 && protocolEntriesMatch(figures(entryInput(entries[0]!)), figures(entryInput(entries[1]!))) };
}

/** Submits the protocol: the two latest entries, by two different accounts, must match; the figures are checked again. */
export async function submitStationProtocol(db: Kysely<Database>, staff: Staff, station: StationView, contestId: number): Promise<number> {
  await assertEditable(db, station, contestId);
  const [a, b] = await protocolEntries(db, station.id, contestId);
  if (!a || !b || a.staff_id === b.staff_id) throw new PaperErrors.ENTRIES_MISSING();
  if (!protocolEntriesMatch(figures(entryInput(a)), figures(entryInput(b)))) throw new PaperErrors.ENTRIES_DIFFER();
  await checkAgainstStation(db, station, contestId, entryInput(a));
  return db.transaction().execute(async (trx) => {
    // Locked so two submissions at once write one protocol.
    const locked = await findProtocol(trx, station.id, contestId, true);
    if (locked && (locked.status === 'submitted' || locked.status === 'accepted')) throw new PaperErrors.PROTOCOL_STATE(locked.status);
    const id = await submitProtocol(trx, station.id, contestId, `staff:${a.staff_id},staff:${b.staff_id}`, entryInput(a));
    await appendAuditEvent(trx, { actor: actorOf(staff), action: 'paper.protocol-submitted', subject: `paper-protocol:${id}`, reason: `station ${station.code}, contest ${contestId}, entered by staff ${b.staff_id} and ${a.staff_id}`, electionId: station.electionId });
    return id;
  });
}

/** An organizer accepts a submitted protocol (it joins the next tally) or returns it with a reason. */
export async function decideStationProtocol(db: Kysely<Database>, staff: Staff, id: number, decision: { accept: true } | { accept: false; reason: string }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const p = await lockProtocol(trx, id);
    if (!p) throw new PaperErrors.PROTOCOL_NOT_FOUND();
    if (p.status !== 'submitted') throw new PaperErrors.PROTOCOL_STATE(p.status);
    const by = `staff:${staff.id}`;
    await decideProtocol(trx, p, decision.accept ? { accept: true, by } : { accept: false, by, reason: decision.reason });
    await appendAuditEvent(trx, { actor: actorOf(staff), action: decision.accept ? 'paper.protocol-accepted' : 'paper.protocol-returned', subject: `paper-protocol:${id}`, reason: decision.accept ? null : decision.reason });
  });
}

/** Scans at most this large (the signed paper protocol, a few pages). */
export const SCAN_MAX_BYTES = 10 * 1024 * 1024;

/** The scan's type by its first bytes (never by a name or a header the client sends). */
function scanType(content: Buffer): 'application/pdf' | 'image/jpeg' | 'image/png' | null {
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (content.length > 3 && content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

/** Attaches the signed protocol's scan to the station's protocol (audited with its SHA-256). */
export async function attachScan(db: Kysely<Database>, staff: Staff, station: StationView, contestId: number, content: Buffer): Promise<{ sha256: string; mediaType: string }> {
  if (content.length > SCAN_MAX_BYTES) throw new PaperErrors.SCAN_TOO_LARGE(SCAN_MAX_BYTES / 1024 / 1024);
  const mediaType = scanType(content);
  if (!mediaType) throw new PaperErrors.SCAN_TYPE();
  const sha256 = createHash('sha256').update(content).digest('hex');
  await db.transaction().execute(async (trx) => {
    const p = await findProtocol(trx, station.id, contestId, true);
    if (!p) throw new PaperErrors.PROTOCOL_NOT_FOUND();
    if (p.status === 'accepted') throw new PaperErrors.PROTOCOL_STATE(p.status);
    await saveProtocolScan(trx, p.id, { mediaType, sha256, content, staffId: staff.id });
    await appendAuditEvent(trx, { actor: actorOf(staff), action: 'paper.scan-attached', subject: `paper-protocol:${p.id}`, reason: `sha256 ${sha256}`, electionId: station.electionId });
  });
  return { sha256, mediaType };
}
