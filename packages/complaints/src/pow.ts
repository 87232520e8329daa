import type { Redis } from 'ioredis';
import { createChallenge, verifySolution } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { z } from 'zod';

/**
 * The captcha-free throttle on the public complaint form (issue #14): ALTCHA's proof of work
 * (altcha-lib), no third-party service. The site hands out an HMAC-signed challenge; the
 * browser finds a counter whose SHA-256 key starts with the challenge's prefix (about 16^n
 * tries for a prefix of n hex digits); the site verifies it in one hash and remembers the
 * nonce until the challenge expires, so one solution files one complaint.
 */
export const POW_TTL_SECONDS = 600;
/** Hex digits of the key prefix to match: 4 is about 65,000 hashes, a second or two in a phone's browser. */
export const POW_PREFIX_DIGITS = 4;

const payloadSchema = z.object({
  challenge: z.object({ parameters: z.record(z.string(), z.unknown()), signature: z.string().optional() }),
  solution: z.object({ counter: z.number().int().min(0), derivedKey: z.string() }),
});

/** A new signed challenge (`GET /api/v1/complaints/challenge`). */
export async function powChallenge(secret: string, digits = POW_PREFIX_DIGITS) {
  const keyPrefix = Array.from({ length: digits }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
  return createChallenge({ algorithm: 'SHA-256', cost: 1, keyPrefix, deriveKey, hmacSignatureSecret: secret, expiresAt: Math.floor(Date.now() / 1000) + POW_TTL_SECONDS });
}

/** `<prefix>:complaints:pow:<nonce>`: a solution already spent. */
function spentKey(prefix: string, nonce: string): string {
  return `${prefix}:complaints:pow:${nonce}`;
}

/** True when `payload` (base64 JSON `{challenge, solution}`) solves an unexpired challenge of ours not used before. */
export async function checkPow(redis: Redis, prefix: string, secret: string, payload: string | undefined): Promise<boolean> {
  if (!payload) return false;
  let parsed: z.infer<typeof payloadSchema>;
  try {
    parsed = payloadSchema.parse(JSON.parse(Buffer.from(payload, 'base64').toString('utf8')));
  } catch {
    return false;
  }
  const challenge = parsed.challenge as unknown as Parameters<typeof verifySolution>[0]['challenge'];
  const result = await verifySolution({ challenge, solution: parsed.solution, deriveKey, hmacSignatureSecret: secret }).catch(() => null);
  if (!result?.verified) return false;
  const nonce = String(challenge.parameters.nonce);
  const fresh = await redis.set(spentKey(prefix, nonce), '1', 'EX', POW_TTL_SECONDS, 'NX');
  return fresh === 'OK';
}
