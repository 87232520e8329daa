import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, EMPTY_HEAD, insertResultSnapshot, lastResultSnapshot, listResultSnapshots } from '@primaries/db';
import {
  type ArchiveFile,
  GENESIS_SNAPSHOT_HASH,
  SUPERSEDED_TTL_SECONDS,
  type SignedHeader,
  type Snapshot,
  type SnapshotDraft,
  type SnapshotHeader,
  headerBytes,
  resultsKeys,
  sha256Hex,
  snapshotBodyHash,
} from '@primaries/results-model';
import { type SigningKey, publicSigningKey, signBytes } from '@primaries/sealing';

/** The place the next snapshot of an election takes in its chain (issue #16). */
export async function nextChainPlace(db: Kysely<Database>, electionId: number): Promise<{ seq: number; prevHash: string }> {
  const last = await lastResultSnapshot(db, electionId);
  return { seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? GENESIS_SNAPSHOT_HASH };
}

/** Hashes and signs a header over its canonical JSON (results-model's headerBytes). */
function signHeader(header: SnapshotHeader, key: SigningKey): SignedHeader {
  const bytes = headerBytes(header);
  return { ...header, hash: sha256Hex(bytes), signature: signBytes(key, bytes) };
}

/**
 * Publishes a snapshot signed and chained (issue #16): a new version, a header naming the
 * body's hash, the previous snapshot's hash, the audit head and the archive's files, signed
 * with the election's key; the header goes to Postgres (the chain of record) before Redis.
 * Run under the rebuild lock, so two snapshots never take the same place.
 */
export async function publishSignedSnapshot(
  db: Kysely<Database>,
  redis: Redis,
  prefix: string,
  draft: SnapshotDraft,
  opts: { key: SigningKey; place: { seq: number; prevHash: string }; archive: ArchiveFile[] | null },
): Promise<Snapshot> {
  const keys = resultsKeys(prefix);
  const version = await redis.incr(keys.sequence);
  // The body exactly as a reader will parse it (undefined fields gone), so its hash is theirs.
  const body = JSON.parse(JSON.stringify({ version, ...draft })) as Snapshot;
  const signed = signHeader(
    {
      electionId: draft.electionId,
      seq: opts.place.seq,
      version,
      generatedAt: draft.generatedAt,
      state: draft.election.state,
      final: draft.final,
      bodyHash: snapshotBodyHash(body),
      prevHash: opts.place.prevHash,
      auditHead: draft.auditHead ?? EMPTY_HEAD,
      archive: opts.archive,
      keyId: opts.key.id,
    },
    opts.key,
  );
  await insertResultSnapshot(db, { electionId: draft.electionId, seq: signed.seq, version, hash: signed.hash, prevHash: signed.prevHash, header: signed });
  const snapshot: Snapshot = { ...body, signed };
  await backfillChain(db, redis, prefix, draft.electionId, signed.seq);
  const previous = await redis.get(keys.current);
  const tx = redis
    .multi()
    .hset(keys.keys, opts.key.id, JSON.stringify(publicSigningKey(opts.key)))
    .hset(keys.chain(draft.electionId), String(signed.seq), JSON.stringify(signed))
    .set(keys.version(version), JSON.stringify(snapshot))
    .set(keys.current, String(version));
  if (previous && previous !== String(version)) tx.expire(keys.version(Number(previous)), SUPERSEDED_TTL_SECONDS);
  tx.publish(keys.channel, String(version));
  const replies = await tx.exec();
  const failed = replies?.find(([err]) => err);
  if (!replies || failed) throw failed?.[0] ?? new Error('results snapshot transaction aborted');
  return snapshot;
}

/** Copies headers Redis lacks (a Redis restored from an older dump) from Postgres, so the published chain has no gap. */
async function backfillChain(db: Kysely<Database>, redis: Redis, prefix: string, electionId: number, seq: number): Promise<void> {
  const key = resultsKeys(prefix).chain(electionId);
  if ((await redis.hlen(key)) >= seq - 1) return;
  for (let after = 0; after < seq - 1; ) {
    const page = (await listResultSnapshots(db, electionId, after, 1000)) as SignedHeader[];
    if (page.length === 0) return;
    await redis.hset(key, ...page.flatMap((h) => [String(h.seq), JSON.stringify(h)]));
    after = page[page.length - 1]!.seq;
  }
}
