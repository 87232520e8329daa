import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';

/**
 * The election's signing key (issue #16): one Ed25519 key that signs every results snapshot.
 * RESULTS_SIGNING_KEY is `id:base64(PKCS #8 DER)`, exactly what node:crypto exports; it lives
 * in the worker's configuration only. Its public part is published on the results site
 * (`GET /api/v1/keys`) and printed on the protocols.
 */

export interface SigningKey {
  readonly id: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** A public key as the results site publishes it. */
export interface PublicSigningKey {
  id: string;
  algorithm: 'Ed25519';
  /** The raw 32-byte public key, base64url (JWK `x`). */
  publicKey: string;
  /** The same key as SubjectPublicKeyInfo DER, base64 (what `openssl pkey -pubin` reads). */
  spki: string;
}

const ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses RESULTS_SIGNING_KEY; throws an Error naming the problem (never the key material). */
export function parseSigningKey(text: string): SigningKey {
  const entry = text.trim();
  const colon = entry.indexOf(':');
  const id = colon > 0 ? entry.slice(0, colon) : '';
  if (!ID.test(id)) throw new Error('the id must be 1–32 of A–Z a–z 0–9 _ - before a ":" (id:base64 PKCS #8)');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(entry.slice(colon + 1), 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new Error(`key ${id}: not a base64 PKCS #8 private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`key ${id}: ${privateKey.asymmetricKeyType} key, expected Ed25519`);
  return Object.freeze({ id, privateKey, publicKey: createPublicKey(privateKey) });
}

/** A new random Ed25519 key under `id`, as a RESULTS_SIGNING_KEY value. */
export function newSigningKeyEntry(id: string): string {
  if (!ID.test(id)) throw new Error('a key id is 1–32 of A–Z a–z 0–9 _ -');
  const { privateKey } = generateKeyPairSync('ed25519');
  return `${id}:${privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64')}`;
}

/** The published form of a key's public part. */
export function publicSigningKey(key: SigningKey): PublicSigningKey {
  const jwk = key.publicKey.export({ format: 'jwk' });
  return { id: key.id, algorithm: 'Ed25519', publicKey: String(jwk.x), spki: key.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

/** Ed25519 signature of `message`, base64. */
export function signBytes(key: SigningKey, message: Buffer | string): string {
  return sign(null, typeof message === 'string' ? Buffer.from(message, 'utf8') : message, key.privateKey).toString('base64');
}

/** Whether `signature` (base64) is `key`'s Ed25519 signature of `message`. */
export function verifyBytes(key: PublicSigningKey, message: Buffer | string, signature: string): boolean {
  const publicKey = createPublicKey({ key: Buffer.from(key.spki, 'base64'), format: 'der', type: 'spki' });
  return verify(null, typeof message === 'string' ? Buffer.from(message, 'utf8') : message, publicKey, Buffer.from(signature, 'base64'));
}
