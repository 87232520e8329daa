import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { PaperProtocolEntry } from '../tables/paper-day.table';
import type { PaperProtocol } from '../tables/paper.table';

type Db = Kysely<Database> | Transaction<Database>;

/** A protocol's figures as entered (and as submitted). */
export interface ProtocolInput {
  received: number;
  issued: number;
  found: number;
  spoiled: number;
  /** candidate id → votes */
  votes: Record<string, number>;
}

/** Writes (or rewrites) one commission account's entry of a station's protocol for a contest. */
export async function saveProtocolEntry(trx: Transaction<Database>, stationId: number, contestId: number, staffId: number, p: ProtocolInput): Promise<void> {
  const values = { ballots_received: p.received, ballots_issued: p.issued, ballots_found: p.found, ballots_spoiled: p.spoiled, votes: JSON.stringify(p.votes) };
  await trx
    .insertInto('paper_protocol_entries')
    .values({ polling_station_id: stationId, contest_id: contestId, staff_id: staffId, ...values })
    .onConflict((oc) => oc.constraint('paper_protocol_entries_uq').doUpdateSet({ ...values, entered_at: sql`now()` }))
    .execute();
}

/** The entries of a station's protocol for a contest, latest first. */
export async function protocolEntries(db: Db, stationId: number, contestId: number): Promise<PaperProtocolEntry[]> {
  return db.selectFrom('paper_protocol_entries').selectAll().where('polling_station_id', '=', stationId).where('contest_id', '=', contestId).orderBy('entered_at', 'desc').orderBy('id', 'desc').execute();
}

/** The protocol row of a station and contest (locked when in a transaction that asks), if any. */
export async function findProtocol(db: Db, stationId: number, contestId: number, lock = false): Promise<PaperProtocol | undefined> {
  let q = db.selectFrom('paper_protocols').selectAll().where('polling_station_id', '=', stationId).where('contest_id', '=', contestId);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** A protocol by id, locked for the transaction's decision. */
export async function lockProtocol(trx: Transaction<Database>, id: number): Promise<PaperProtocol | undefined> {
  return trx.selectFrom('paper_protocols').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Submits the agreed figures: the protocol row (status submitted) and its votes per candidate, replacing any returned one. */
export async function submitProtocol(trx: Transaction<Database>, stationId: number, contestId: number, enteredBy: string, p: ProtocolInput): Promise<number> {
  const values = { ballots_received: p.received, ballots_issued: p.issued, ballots_cast: p.found, ballots_spoiled: p.spoiled, entered_by: enteredBy, status: 'submitted' as const, submitted_at: sql<Date>`now()`, returned_at: null, return_reason: null, decided_by: null, accepted_at: null };
  const row = await trx
    .insertInto('paper_protocols')
    .values({ polling_station_id: stationId, contest_id: contestId, ...values })
    .onConflict((oc) => oc.constraint('paper_protocols_uq').doUpdateSet(values))
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx.deleteFrom('paper_protocol_votes').where('protocol_id', '=', row.id).execute();
  const votes = Object.entries(p.votes).map(([candidate, n]) => ({ protocol_id: row.id, candidate_id: Number(candidate), votes: n }));
  if (votes.length) await trx.insertInto('paper_protocol_votes').values(votes).execute();
  return row.id;
}

/** An organizer's decision on a submitted protocol: accepted (final), or returned with a reason (the entries start again). */
export async function decideProtocol(trx: Transaction<Database>, p: PaperProtocol, decision: { accept: true; by: string } | { accept: false; by: string; reason: string }): Promise<void> {
  if (decision.accept) {
    await trx.updateTable('paper_protocols').set({ status: 'accepted', accepted_at: sql`now()`, decided_by: decision.by }).where('id', '=', p.id).execute();
    return;
  }
  await trx.updateTable('paper_protocols').set({ status: 'rejected', returned_at: sql`now()`, return_reason: decision.reason, decided_by: decision.by }).where('id', '=', p.id).execute();
  await trx.deleteFrom('paper_protocol_entries').where('polling_station_id', '=', p.polling_station_id).where('contest_id', '=', p.contest_id).execute();
}

/** Protocols for the organizers' review, with station, contest and votes. */
export async function listProtocols(db: Db, electionId: number, status?: PaperProtocol['status']) {
  let q = db
    .selectFrom('paper_protocols as p')
    .innerJoin('polling_stations as s', 's.id', 'p.polling_station_id')
    .innerJoin('contests as c', 'c.id', 'p.contest_id')
    .leftJoin('paper_protocol_scans as sc', 'sc.protocol_id', 'p.id')
    .select(['p.id', 'p.status', 'p.contest_id as contestId', 'c.name as contest', 's.id as stationId', 's.code as station', 's.settlement', 'p.ballots_received as received', 'p.ballots_issued as issued', 'p.ballots_cast as found', 'p.ballots_spoiled as spoiled', 'p.return_reason as returnReason', 'sc.sha256 as scanSha256', 'sc.media_type as scanType'])
    .select((eb) => sql<Array<{ candidateId: number; votes: number }>>`coalesce((select json_agg(json_build_object('candidateId', v.candidate_id, 'votes', v.votes) order by v.candidate_id) from paper_protocol_votes v where v.protocol_id = ${eb.ref('p.id')}), '[]'::json)`.as('votes'))
    .where('s.election_id', '=', electionId)
    .orderBy('s.code')
    .orderBy('p.contest_id');
  if (status) q = q.where('p.status', '=', status);
  return q.execute();
}

/** Stores the signed protocol's scan (one per protocol; a new one replaces it). */
export async function saveProtocolScan(trx: Transaction<Database>, protocolId: number, scan: { mediaType: 'application/pdf' | 'image/jpeg' | 'image/png'; sha256: string; content: Buffer; staffId: number }): Promise<void> {
  const values = { media_type: scan.mediaType, sha256: scan.sha256, size: scan.content.length, content: scan.content, uploaded_by: scan.staffId };
  await trx.insertInto('paper_protocol_scans').values({ protocol_id: protocolId, ...values }).onConflict((oc) => oc.column('protocol_id').doUpdateSet({ ...values, uploaded_at: sql`now()` })).execute();
}
