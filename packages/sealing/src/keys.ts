import { randomBytes } from 'node:crypto';

/**
 * Ballot keys (BALLOT_KEYS): `id:base64key[,id:base64key…]`, each key 32 random bytes
 * (AES-256), each id 1–32 of [A-Za-z0-9_-]. The first key seals; every key listed opens, so
 * a key can rotate: put the new one first and keep the old one until nothing sealed with
 * it is left. Keys live in configuration only, never in Redis or Postgres.
 */

export interface BallotKey {
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

const ID = /^[A-Za-z0-9_-]{1,32}$/;
const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Parses BALLOT_KEYS; throws an Error naming the problem (never the key material). */
export function parseBallotKeys(text: string): BallotKey[] {
  const entries = text.split(',').map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('no key: expected id:base64key[,id:base64key…]');
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const material = colon > 0 ? entry.slice(colon + 1) : '';
    if (!ID.test(id)) throw new Error(`key ${i + 1}: the id must be 1–32 of A–Z a–z 0–9 _ - before a ':'`);
    if (!B64.test(material)) throw new Error(`key ${id}: not base64`);
    // Node's base64 decoder takes both alphabets (standard and URL-safe).
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) throw new Error(`key ${id}: ${key.length} bytes, expected 32 (AES-256)`);
    return Object.freeze({ id, key });
  });
  const ids = keys.map((k) => k.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`key id ${twice} is listed twice`);
  return keys;
}

/** A new random key under `id`, as one BALLOT_KEYS entry (`id:base64`). */
export function newBallotKeyEntry(id: string): string {
  if (!ID.test(id)) throw new Error('a key id is 1–32 of A–Z a–z 0–9 _ -');
  return `${id}:${randomBytes(32).toString('base64')}`;
}
