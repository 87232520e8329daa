import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { type Database, finishCountingReceiptsIn } from '@primaries/db';
import type { Snapshot, SnapshotDraft } from '@primaries/results-model';
import type { SigningKey } from '@primaries/sealing';
import { publishArchive } from './archive';
import { nextChainPlace, publishSignedSnapshot } from './sign-snapshot';

/**
 * Publishes a snapshot the public can check (issue #16): its place in the chain, the archive
 * once the window has closed, the signed snapshot, then the receipts it counted say
 * "counted in snapshot N". Called under the rebuild lock.
 */
export async function publishVerifiable(db: Kysely<Database>, redis: Redis, prefix: string, draft: SnapshotDraft, key: SigningKey): Promise<Snapshot> {
  const place = await nextChainPlace(db, draft.electionId);
  const archive = await publishArchive(db, redis, prefix, draft, place.seq);
  const snapshot = await publishSignedSnapshot(db, redis, prefix, draft, { key, place, archive });
  await finishCountingReceiptsIn(db, place.seq);
  return snapshot;
}
