import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, contestBallotsCsv, contestReceiptsCsv, paperProtocolsCsv } from '@primaries/db';
import { type ArchiveFile, type SnapshotDraft, archiveFileSchema, resultsKeys, sha256Hex } from '@primaries/results-model';

/**
 * The public archive of an election (issue #16), built once the window has closed and every
 * accepted ballot is released (nothing pending), never before: while voting is open a
 * ballot's place in a file could follow its arrival. Per contest the anonymous ballots (marks
 * only, in the order of their random ids) and, in a file of its own, the hashes of the
 * receipts counted with the snapshot that counted each; the accepted paper protocols apart.
 * The ballots and receipts files are written once; the protocols file at every snapshot
 * (a protocol may be accepted after the close). Returns the manifest, or null before then.
 */
export async function publishArchive(db: Kysely<Database>, redis: Redis, prefix: string, draft: SnapshotDraft, seq: number): Promise<ArchiveFile[] | null> {
  if (draft.election.state !== 'closed' || draft.pending > 0) return null;
  const keys = resultsKeys(prefix);
  const electionId = draft.electionId;
  const stored = await redis.get(keys.archiveManifest(electionId));
  let files = stored ? archiveFileSchema.array().parse(JSON.parse(stored)).filter((f) => f.kind !== 'paper-protocols') : null;
  const put = async (name: string, kind: ArchiveFile['kind'], contestId: number | null, csv: { text: string; rows: number }): Promise<ArchiveFile> => {
    const bytes = Buffer.from(csv.text, 'utf8');
    await redis.set(keys.archiveFile(electionId, name), bytes);
    return { name, kind, contestId, rows: csv.rows, bytes: bytes.length, sha256: sha256Hex(bytes) };
  };
  const expected = draft.contests.length * 2;
  if (!files || files.length !== expected) {
    files = [];
    for (const c of draft.contests) {
      files.push(await put(`ballots-contest-${c.id}.csv`, 'ballots', c.id, await contestBallotsCsv(db, c.id)));
      files.push(await put(`receipts-contest-${c.id}.csv`, 'receipts', c.id, await contestReceiptsCsv(db, c.id, seq)));
    }
  }
  files.push(await put('paper-protocols.csv', 'paper-protocols', null, await paperProtocolsCsv(db, draft.contests.map((c) => c.id))));
  await redis.set(keys.archiveManifest(electionId), JSON.stringify(files));
  return files;
}
