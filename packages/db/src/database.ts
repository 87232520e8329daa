import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { ElectionTable } from './tables/election.table';
import type { DistrictTable, RegionTable } from './tables/place.table';
import type { CandidateTable, ContestTable } from './tables/contest.table';
import type { AuthorizationTable, MemberTable } from './tables/member.table';
import type { BallotTable, ParticipationTable, ReceiptTable, RecordedVoteBatchTable, SealedBallotTable } from './tables/vote.table';
import type { PaperProtocolTable, PaperProtocolVoteTable, PollingStationTable } from './tables/paper.table';
import type { PaperCheckinTable, PaperProtocolEntryTable, PaperProtocolScanTable, PaperVoterTable } from './tables/paper-day.table';
import type { AuditEventTable, ComplaintTable } from './tables/oversight.table';
import type { StaffEnrolmentTable, StaffTable } from './tables/staff.table';
import type { ComplaintEvidenceTable, ComplaintNoteTable, ControlDecisionTable, MemberBlockTable } from './tables/control.table';
import type { ElectionCloseRequestTable, ProtocolTable } from './tables/lifecycle.table';
import type { ResultSnapshotTable } from './tables/snapshot.table';

/** The one Database interface (Kysely's own example layout). */
export interface Database {
  elections: ElectionTable;
  regions: RegionTable;
  districts: DistrictTable;
  contests: ContestTable;
  candidates: CandidateTable;
  members: MemberTable;
  authorizations: AuthorizationTable;
  participation: ParticipationTable;
  ballots: BallotTable;
  sealed_ballots: SealedBallotTable;
  receipts: ReceiptTable;
  recorded_vote_batches: RecordedVoteBatchTable;
  polling_stations: PollingStationTable;
  paper_protocols: PaperProtocolTable;
  paper_protocol_votes: PaperProtocolVoteTable;
  paper_voters: PaperVoterTable;
  paper_checkins: PaperCheckinTable;
  paper_protocol_entries: PaperProtocolEntryTable;
  paper_protocol_scans: PaperProtocolScanTable;
  complaints: ComplaintTable;
  audit_events: AuditEventTable;
  staff: StaffTable;
  staff_enrolments: StaffEnrolmentTable;
  complaint_evidence: ComplaintEvidenceTable;
  complaint_notes: ComplaintNoteTable;
  control_decisions: ControlDecisionTable;
  member_blocks: MemberBlockTable;
  election_close_requests: ElectionCloseRequestTable;
  protocols: ProtocolTable;
  result_snapshots: ResultSnapshotTable;
}

// Date-only columns stay 'YYYY-MM-DD' strings: a birth date or freeze date has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export interface CreateDbOptions {
  url: string;
  poolMax?: number;
  applicationName?: string;
}

/** A Kysely instance over a pg pool. */
export function createDb({ url, poolMax = 10, applicationName = 'primaries' }: CreateDbOptions): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, application_name: applicationName });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  // A connection killed mid-query (restart, failover, pg_terminate_backend) also emits on
  // the client; the query itself rejects, so the event only needs a listener.
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
