import { contestsWithRecordedReceipts, markReleasedExcept, sealedBallotsOf } from '@primaries/db';
import type { ReleaseDeps } from './release';

/**
 * Receipts whose ballot was released but who still say `recorded` (the worker stopped
 * between a release and its receipts' update, or a batch's receipts were written after its
 * sealed ballots had already been released): in one repeatable-read snapshot, open the
 * sealed ballots still waiting in those contests; every `recorded` receipt whose hash is
 * not among them was released, since a receipt is written only after its sealed ballot.
 * Returns how many receipts changed.
 */
export async function sweepReceipts(deps: ReleaseDeps): Promise<number> {
  const contests = await contestsWithRecordedReceipts(deps.db);
  if (contests.length === 0) return 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          const sealed = await sealedBallotsOf(trx, contests);
          // A ballot that cannot be opened throws: better no sweep than a receipt said released wrongly.
          const pending = sealed.map((s) => deps.sealer.openRow(s.contestId, s).receiptHash);
          return markReleasedExcept(trx, contests, pending);
        });
    } catch (err) {
      // A release in another process marked some of the same receipts meanwhile: read again.
      if ((err as { code?: string }).code !== SERIALIZATION_FAILURE || attempt >= SWEEP_ATTEMPTS) throw err;
    }
  }
}

const SERIALIZATION_FAILURE = '40001';
const SWEEP_ATTEMPTS = 5;
