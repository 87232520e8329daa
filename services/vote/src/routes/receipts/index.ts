import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { receiptCountedIn, receiptStatus } from '@primaries/db';
import { readReceiptMarker } from '@primaries/redis-protocols';
import { VoteErrors } from '../../errors';
import { RECEIPT_PATTERN, hashReceipt } from '../../voting/receipt';

const params = z.object({ receipt: z.string().regex(RECEIPT_PATTERN) });
const answer = z.object({
  status: z.enum(['queued', 'recorded', 'counted', 'rejected']),
  /** When counted: N, the results snapshot that first counted it (issue #16); the receipt's SHA-256 is in that snapshot's list of the contest's counted receipts. */
  snapshot: z.number().int().optional(),
});

/**
 * GET /api/v1/receipts/{receipt}: where the contest ballot behind a receipt is — queued (in
 * the queue), recorded (in Postgres, sealed or released), counted (released and included in
 * a published tally), or rejected (never recorded: the member had already voted in that
 * contest). Anyone may ask; the answer holds no choice and no voter.
 */
export default async function routes(app: FastifyInstance): Promise<void> {
  app.get(
    '/:receipt',
    { schema: { summary: 'Status of a vote receipt', params, response: { 200: answer } } },
    async (request, reply) => {
      const { receipt } = request.params as z.infer<typeof params>;
      const hash = hashReceipt(receipt);
      reply.header('cache-control', 'no-store');
      const marker = await readReceiptMarker(app.redis, app.redisPrefix, hash);
      if (marker) return { status: marker };
      const status = await receiptStatus(app.db, hash);
      if (status === 'counted') {
        const snapshot = await receiptCountedIn(app.db, hash);
        return snapshot === null ? { status: 'counted' as const } : { status: 'counted' as const, snapshot };
      }
      if (status) return { status: 'recorded' as const };
      throw new VoteErrors.RECEIPT_UNKNOWN();
    },
  );
}
