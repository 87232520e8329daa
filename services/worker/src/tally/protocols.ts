import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, type NewProtocol, appendAuditEventOnce, finalProtocolsWithContent, findLifecycleElection, insertFinalProtocols } from '@primaries/db';
import { protocolCsv, protocolPdf, protocolsData } from '@primaries/protocols';
import { type Snapshot, canonicalJson, protocolKeys, sha256Hex } from '@primaries/results-model';
import { SYSTEM_WORKER } from '../release/release';

/**
 * The final protocols (issue #13): once per election, from the first final snapshot, each
 * contest's protocol as CSV and PDF, stored in Postgres (written once: a later rebuild
 * never changes them) and copied to Redis for the results site, which has no database.
 * The snapshot they name is the signed header's hash (issue #16), else the SHA-256 of the
 * snapshot's canonical JSON.
 */
export async function ensureProtocols(db: Kysely<Database>, redis: Redis, prefix: string, snapshot: Snapshot): Promise<number> {
  if (!snapshot.final) return 0;
  const electionId = snapshot.electionId;
  let stored = await finalProtocolsWithContent(db, electionId);
  if (stored.length === 0) {
    const election = await findLifecycleElection(db, electionId);
    const publishedAt = (election?.results_published_at ?? new Date(snapshot.generatedAt)).toISOString();
    const sha = snapshot.signed?.hash ?? sha256Hex(canonicalJson(snapshot));
    const rows: NewProtocol[] = [];
    for (const data of protocolsData(snapshot, sha, publishedAt)) {
      const csv = Buffer.from(protocolCsv(data), 'utf8');
      const pdf = await protocolPdf(data);
      for (const [format, content] of [['csv', csv], ['pdf', pdf]] as const) {
        rows.push({ electionId, contestId: data.contest.id, format, content, sha256: sha256Hex(content), snapshotVersion: snapshot.version, snapshotSha256: sha });
      }
    }
    await db.transaction().execute(async (trx) => {
      await insertFinalProtocols(trx, rows);
      await appendAuditEventOnce(trx, {
        actor: SYSTEM_WORKER,
        action: 'election.protocols',
        subject: `election:${electionId}`,
        reason: `${rows.length / 2} contest protocol(s) from final snapshot v${snapshot.version} (${sha})`,
        electionId,
      });
    });
    stored = await finalProtocolsWithContent(db, electionId);
  }
  const key = protocolKeys(prefix).election(electionId);
  if ((await redis.hlen(key)) < stored.length) {
    await redis.hset(key, ...stored.flatMap((p) => [`${p.contest_id}.${p.format}`, p.content]));
  }
  return stored.length;
}
