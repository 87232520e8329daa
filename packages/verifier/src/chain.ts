import { auditEventHash, headerBytes, sha256, verifyEd25519 } from './crypto';
import type { AuditEvent, Problem, PublicKey, SignedHeader } from './types';

const GENESIS = '0'.repeat(64);

/**
 * Checks a chain of signed snapshot headers: each one's hash is the hash of its fields, its
 * signature is by one of the election's keys, its seq follows the previous one and its
 * prevHash is the previous one's hash. Reports every break, not only the first.
 */
export function checkSnapshotChain(headers: readonly SignedHeader[], keys: readonly PublicKey[]): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(keys.map((k) => [k.id, k]));
  let prev: SignedHeader | null = null;
  for (const h of headers) {
    const bytes = headerBytes(h);
    if (sha256(bytes) !== h.hash) problems.push({ check: 'chain', message: `snapshot ${h.seq}: its header does not hash to its hash (changed after signing)` });
    const key = byId.get(h.keyId);
    if (!key) problems.push({ check: 'chain', message: `snapshot ${h.seq}: signed with key "${h.keyId}", which is not one of the election's keys` });
    else if (!verifyEd25519(key, bytes, h.signature)) problems.push({ check: 'chain', message: `snapshot ${h.seq}: the signature is not key "${h.keyId}"'s` });
    const expectedSeq = (prev?.seq ?? 0) + 1;
    if (h.seq !== expectedSeq) problems.push({ check: 'chain', message: `snapshot ${expectedSeq}${h.seq > expectedSeq + 1 ? `–${h.seq - 1}` : ''} missing: found ${h.seq} after ${prev?.seq ?? 'the start'}` });
    else if (h.prevHash !== (prev?.hash ?? GENESIS)) problems.push({ check: 'chain', message: `snapshot ${h.seq}: prevHash is not snapshot ${prev?.seq ?? 0}'s hash (the chain was broken or forked)` });
    prev = h;
  }
  return problems;
}

/** Checks the audit trail's hash chain from the genesis; the first break ends the check (later hashes depend on it). */
export function checkAuditChain(events: readonly AuditEvent[]): Problem[] {
  let prev = { seq: 0, hash: GENESIS };
  for (const e of events) {
    if (e.seq !== prev.seq + 1) return [{ check: 'audit', message: `audit event ${prev.seq + 1} is missing: found ${e.seq} after ${prev.seq}` }];
    if (e.prevHash !== prev.hash) return [{ check: 'audit', message: `audit event ${e.seq} does not follow event ${prev.seq}` }];
    if (auditEventHash(e) !== e.hash) return [{ check: 'audit', message: `audit event ${e.seq} was changed: its contents do not hash to its hash` }];
    prev = { seq: e.seq, hash: e.hash };
  }
  return [];
}

/** Every snapshot's audit head must be an event of the published trail (or the empty trail). */
export function checkAuditHeads(headers: readonly SignedHeader[], events: readonly AuditEvent[]): Problem[] {
  const hashes = new Map(events.map((e) => [e.seq, e.hash]));
  return headers.flatMap((h) => {
    const { seq, hash } = h.auditHead;
    if (seq === 0 ? hash === GENESIS : hashes.get(seq) === hash) return [];
    return [{ check: 'audit' as const, message: `snapshot ${h.seq}: its audit head (event ${seq}) is not in the published audit trail` }];
  });
}
