import type { Redis } from 'ioredis';
import { SUPERSEDED_TTL_SECONDS, type Snapshot, type SnapshotDraft, resultsKeys } from '@primaries/results-model';

/**
 * Stores a snapshot as a new version and moves the `current` pointer to it in one MULTI,
 * lets the superseded version expire, and publishes the new version number.
 */
export async function publishSnapshot(redis: Redis, prefix: string, draft: SnapshotDraft): Promise<Snapshot> {
  const keys = resultsKeys(prefix);
  const version = await redis.incr(keys.sequence);
  const snapshot: Snapshot = { version, ...draft };
  const previous = await redis.get(keys.current);
  const tx = redis.multi().set(keys.version(version), JSON.stringify(snapshot)).set(keys.current, String(version));
  if (previous && previous !== String(version)) tx.expire(keys.version(Number(previous)), SUPERSEDED_TTL_SECONDS);
  tx.publish(keys.channel, String(version));
  const replies = await tx.exec();
  const failed = replies?.find(([err]) => err);
  if (!replies || failed) throw failed?.[0] ?? new Error('results snapshot transaction aborted');
  return snapshot;
}
