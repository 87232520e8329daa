import type { Redis } from 'ioredis';

/**
 * A receipt's marker: set to 'q' (queued) when the vote service claims a ballot (inside the
 * pre-check's claim script, voted.ts), deleted by the worker once the ballot is recorded or
 * set to 'r' when the worker refused it, read by GET /receipts/{receipt}. Absent means
 * "ask Postgres". Keyed by the receipt's SHA-256, never the receipt itself.
 */

/** How long a receipt's marker lives: far longer than any backlog drains. */
export const RECEIPT_MARKER_TTL_SECONDS = 7 * 86400;

/** The marker values as stored. */
export const RECEIPT_QUEUED = 'q';
const RECEIPT_REJECTED = 'r';

/** `<prefix>:receipt:<sha256 hex>`. */
export function receiptKey(prefix: string, receiptHash: string): string {
  return `${prefix}:receipt:${receiptHash}`;
}

/** What the marker says: queued, rejected, or nothing (recorded, unknown, or expired). */
export async function readReceiptMarker(redis: Redis, prefix: string, receiptHash: string): Promise<'queued' | 'rejected' | null> {
  const v = await redis.get(receiptKey(prefix, receiptHash));
  return v === RECEIPT_QUEUED ? 'queued' : v === RECEIPT_REJECTED ? 'rejected' : null;
}

/** The worker's transition after a batch: recorded receipts lose their marker, refused ones say so. */
export async function settleReceipts(redis: Redis, prefix: string, recorded: readonly string[], refused: readonly string[]): Promise<void> {
  if (recorded.length + refused.length === 0) return;
  const multi = redis.multi();
  for (const h of recorded) multi.del(receiptKey(prefix, h));
  for (const h of refused) multi.set(receiptKey(prefix, h), RECEIPT_REJECTED, 'EX', RECEIPT_MARKER_TTL_SECONDS);
  await multi.exec();
}
