import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/** A protocol to store: one contest, one format (issue #13). */
export interface NewProtocol {
  electionId: number;
  contestId: number;
  format: 'csv' | 'pdf';
  content: Buffer;
  sha256: string;
  snapshotVersion: number;
  snapshotSha256: string;
}

/** Stores protocols; one already stored for a contest and format stays as it was (written once). */
export async function insertFinalProtocols(db: Db, rows: readonly NewProtocol[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('protocols')
    .values(
      rows.map((r) => ({
        election_id: r.electionId,
        contest_id: r.contestId,
        format: r.format,
        content: r.content,
        sha256: r.sha256,
        snapshot_version: r.snapshotVersion,
        snapshot_sha256: r.snapshotSha256,
      })),
    )
    .onConflict((oc) => oc.columns(['election_id', 'contest_id', 'format']).doNothing())
    .execute();
}

/** The election's stored protocols without their content, by contest then format. */
export async function listFinalProtocols(db: Db, electionId: number) {
  return db
    .selectFrom('protocols')
    .select(['contest_id', 'format', 'sha256', 'snapshot_version', 'snapshot_sha256', 'created_at'])
    .where('election_id', '=', electionId)
    .orderBy('contest_id')
    .orderBy('format')
    .execute();
}

/** Every stored protocol of the election with its content (to copy them to Redis). */
export async function finalProtocolsWithContent(db: Db, electionId: number) {
  return db.selectFrom('protocols').select(['contest_id', 'format', 'content', 'sha256']).where('election_id', '=', electionId).execute();
}

/** One protocol with its content; undefined when not (yet) made. */
export async function findFinalProtocol(db: Db, electionId: number, contestId: number, format: 'csv' | 'pdf') {
  return db
    .selectFrom('protocols')
    .select(['content', 'sha256', 'snapshot_version', 'snapshot_sha256', 'created_at'])
    .where('election_id', '=', electionId)
    .where('contest_id', '=', contestId)
    .where('format', '=', format)
    .executeTakeFirst();
}
