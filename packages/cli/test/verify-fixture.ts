import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Database, appendAuditEvent, insertReceipts, insertSealedBallots } from '@primaries/db';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys, parseSealed } from '@primaries/sealing';
import type { SmallElection } from '@primaries/testing';

/**
 * An honest little election for the verifier's tests (issue #16): members in region 1 who
 * vote online in the national, region 1 and district 1.1 contests (sealed, with receipts, as
 * the vote service records them), two who vote on paper in the region contest with an
 * accepted protocol, and one candidate removed by the control committee with its audit event.
 */
export const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));

let iinCounter = 0;
export async function addMembers(db: Kysely<Database>, el: SmallElection, n: number): Promise<string[]> {
  const rows = Array.from({ length: n }, () => {
    iinCounter++;
    return {
      iin: String(100000000000 + iinCounter).slice(0, 12),
      phone: `+7701${String(1000000 + iinCounter).slice(-7)}`,
      full_name: `Member ${iinCounter}`,
      gender: 'F' as const,
      birth_date: '1980-01-01',
      region_id: el.regionIds[0]!,
      district_id: el.districtIds[0]!,
      primary_org: 'org-1',
      admitted_at: '2020-01-01',
    };
  });
  const out = await db.insertInto('members').values(rows).returning('id').execute();
  return out.map((r) => String(r.id));
}

/** Each member votes online in the three contests of region 1, district 1.1: marks chosen by `pick`. */
export async function voteOnline(db: Kysely<Database>, el: SmallElection, members: readonly string[], pick: (candidates: number[], i: number) => number[]): Promise<void> {
  const contests = [el.contests.national, el.contests.region[0]!, el.contests.district[0]!];
  await db.insertInto('participation').values(members.flatMap((m) => contests.map((c) => ({ member_id: m, contest_id: c, channel: 'online' as const })))).execute();
  const votes = members.flatMap((_, i) => contests.map((c) => ({ contestId: c, marks: pick(el.candidates[c]!, i), receiptHash: createHash('sha256').update(randomUUID()).digest('hex') })));
  await insertSealedBallots(db, votes.map((v) => ({ contestId: v.contestId, ...parseSealed(sealer.seal(v, 2)) })));
  await insertReceipts(db, votes.map((v) => ({ hash: v.receiptHash, contestId: v.contestId })), 'recorded');
}

/** Two members vote on paper in region 1's contest; the station's protocol is accepted. */
export async function paperVote(db: Kysely<Database>, el: SmallElection, members: readonly string[]): Promise<void> {
  const contest = el.contests.region[0]!;
  const station = await db
    .insertInto('polling_stations')
    .values({ election_id: el.electionId, district_id: el.districtIds[0]!, code: 'PS-1', settlement: 'Aul', address: null, opens_at: new Date(), closes_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('participation').values(members.map((m) => ({ member_id: m, contest_id: contest, channel: 'paper' as const, polling_station_id: station.id }))).execute();
  const protocol = await db
    .insertInto('paper_protocols')
    .values({ polling_station_id: station.id, contest_id: contest, ballots_issued: members.length, ballots_cast: members.length, ballots_spoiled: 0, status: 'accepted', entered_by: 'precinct:1', accepted_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('paper_protocol_votes').values([{ protocol_id: protocol.id, candidate_id: el.candidates[contest]![1]!, votes: members.length }]).execute();
}

/** The control committee removes a candidate: the candidate's status and the audit event, in one transaction. */
export async function removeCandidate(db: Kysely<Database>, candidateId: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('candidates').set({ status: 'removed', removed_at: new Date(), removal_reason: 'skipped the debates' }).where('id', '=', candidateId).execute();
    await appendAuditEvent(trx, { actor: { role: 'control', id: '1' }, action: 'candidate.removed', subject: `candidate:${candidateId}`, reason: 'skipped the debates' });
  });
}
