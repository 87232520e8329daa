import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { z } from 'zod';

/**
 * Signed, chained snapshots (issue #16). Every published snapshot has a header: the hash of
 * its body, the previous snapshot's hash, the audit trail's head and, after the close, the
 * public archive's files with their SHA-256. The header is hashed and signed with the
 * election's Ed25519 key over its RFC 8785 (JCS) canonical JSON, so anyone holding the
 * public key can check it with any JCS implementation (packages/verifier does, on its own).
 */

/** The prevHash of an election's first snapshot. */
export const GENESIS_SNAPSHOT_HASH = '0'.repeat(64);

export const archiveFileSchema = z.object({
  /** File name as served at `GET /api/v1/archive/files/{name}`. */
  name: z.string(),
  kind: z.enum(['ballots', 'receipts', 'paper-protocols']),
  /** The contest of a ballots or receipts file; null for the paper protocols. */
  contestId: z.number().int().nullable(),
  /** Data rows (the header line not counted). */
  rows: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string(),
});
export type ArchiveFile = z.infer<typeof archiveFileSchema>;

export const snapshotHeaderSchema = z.object({
  electionId: z.number().int(),
  /** N: this snapshot's place in the election's chain, from 1, without gaps. */
  seq: z.number().int().positive(),
  /** The Redis version the results site serves it under (its ETag). */
  version: z.number().int().positive(),
  generatedAt: z.string(),
  state: z.enum(['upcoming', 'open', 'closed']),
  final: z.boolean(),
  /** SHA-256 of the JCS of the whole snapshot (`GET /api/v1/snapshots/current`) without `signed`. */
  bodyHash: z.string(),
  /** The previous snapshot's `hash` (GENESIS_SNAPSHOT_HASH for the first). */
  prevHash: z.string(),
  auditHead: z.object({ seq: z.number().int().min(0), hash: z.string() }),
  /** The public archive's files once the window has closed; null before. */
  archive: z.array(archiveFileSchema).nullable(),
  /** Which of the election's keys (`GET /api/v1/keys`) signed it. */
  keyId: z.string(),
});
export type SnapshotHeader = z.infer<typeof snapshotHeaderSchema>;

export const signedHeaderSchema = snapshotHeaderSchema.extend({
  /** SHA-256 (hex) of the header's JCS. */
  hash: z.string(),
  /** Ed25519 signature (base64) of the header's JCS bytes. */
  signature: z.string(),
});
export type SignedHeader = z.infer<typeof signedHeaderSchema>;

/** RFC 8785 canonical JSON of a value. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('nothing to canonicalize');
  return text;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The bytes a header's hash and signature are computed over: the JCS of its fields, hash and signature excluded. */
export function headerBytes(h: SnapshotHeader): string {
  const { electionId, seq, version, generatedAt, state, final, bodyHash, prevHash, auditHead, archive, keyId } = h;
  return canonicalJson({ electionId, seq, version, generatedAt, state, final, bodyHash, prevHash, auditHead, archive, keyId });
}

/** SHA-256 of a snapshot's body: the JCS of the snapshot without its `signed` header. */
export function snapshotBodyHash(snapshot: Record<string, unknown>): string {
  const { signed: _signed, ...body } = snapshot;
  return sha256Hex(canonicalJson(body));
}

/** `GET /api/v1/keys`. */
export const publicKeysSchema = z.object({
  keys: z.array(z.object({ id: z.string(), algorithm: z.literal('Ed25519'), publicKey: z.string(), spki: z.string() })),
});

/** `GET /api/v1/snapshots?after=<seq>`: the chain of signed headers. */
export const snapshotChainSchema = z.object({ electionId: z.number().int().nullable(), headers: z.array(signedHeaderSchema), head: z.number().int().min(0) });
