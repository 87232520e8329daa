import { createHash, createPublicKey, verify } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEvent, PublicKey, SignedHeader } from './types';

/** RFC 8785 (JCS) canonical JSON. */
export function jcs(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('nothing to canonicalize');
  return text;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The bytes a snapshot header's hash and signature cover: the JCS of every field but those two. */
export function headerBytes(h: SignedHeader): string {
  const { hash: _hash, signature: _signature, ...fields } = h;
  return jcs(fields);
}

/** Whether `signature` (base64) is the Ed25519 signature of `message` by `key` (its raw key, base64url). */
export function verifyEd25519(key: PublicKey, message: string, signature: string): boolean {
  try {
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicKey }, format: 'jwk' });
    return verify(null, Buffer.from(message, 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** An audit event's hash: SHA-256 of the JCS of its fields but the hash (docs/admin.md). */
export function auditEventHash(e: AuditEvent): string {
  return sha256(jcs({ seq: e.seq, at: e.at, actor: { role: e.actor.role, id: e.actor.id }, action: e.action, subject: e.subject, reason: e.reason, prevHash: e.prevHash }));
}
