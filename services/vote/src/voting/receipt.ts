import { createHash, randomBytes } from 'node:crypto';

/** A new receipt: 128 random bits, base64url (22 characters). Only its hash is stored. */
export function newReceipt(): { receipt: string; hash: string } {
  const receipt = randomBytes(16).toString('base64url');
  return { receipt, hash: hashReceipt(receipt) };
}

/** SHA-256 of a receipt, hex: what ballots.receipt_hash and Redis markers hold. */
export function hashReceipt(receipt: string): string {
  return createHash('sha256').update(receipt).digest('hex');
}

export const RECEIPT_PATTERN = /^[A-Za-z0-9_-]{22}$/;
