import { createHash, randomFillSync } from 'node:crypto';

const RECEIPT_BYTES = 16;
/**
 * Receipts' randomness drawn from the CSPRNG 512 at a time (as node's randomUUID does)
 * instead of one getrandom call per vote; every byte is still used once only.
 */
const pool = Buffer.alloc(RECEIPT_BYTES * 512);
let poolOffset = pool.length;

function randomReceiptBytes(): Buffer {
  if (poolOffset + RECEIPT_BYTES > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + RECEIPT_BYTES);
  poolOffset += RECEIPT_BYTES;
  return bytes;
}

/** A new receipt: 128 random bits, base64url (22 characters). Only its hash is stored. */
export function newReceipt(): { receipt: string; hash: string } {
  const receipt = randomReceiptBytes().toString('base64url');
  return { receipt, hash: hashReceipt(receipt) };
}

/** SHA-256 of a receipt, hex: what receipts.receipt_hash and the Redis markers hold. */
export function hashReceipt(receipt: string): string {
  return createHash('sha256').update(receipt).digest('hex');
}

export const RECEIPT_PATTERN = /^[A-Za-z0-9_-]{22}$/;
