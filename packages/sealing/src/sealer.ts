import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomFillSync } from 'node:crypto';
import type { BallotKey } from './keys';

/**
 * One contest ballot sealed with AES-256-GCM. The plaintext has a fixed length per contest
 * (the marks padded to the contest's limit), so the ciphertext's length says nothing about
 * how many candidates were marked; the contest and key id are authenticated (additional
 * data), so a sealed ballot cannot be moved to another contest unnoticed. The receipt's
 * hash rides inside, so only the release step (which holds the key) can tell which receipt
 * a sealed ballot stands for.
 *
 * plaintext: version (1) ‖ receipt SHA-256 (32) ‖ mark count (u16) ‖ slots × candidate id (u32), zero-padded
 * sealed:    iv (12) ‖ ciphertext ‖ tag (16); as text `<keyId>.<base64url>`
 */

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = 1 + 32 + 2;

/** What a sealed ballot holds. */
export interface OpenedBallot {
  contestId: number;
  /** Candidate ids, as sealed (sorted by the vote service). */
  marks: number[];
  /** SHA-256 of the contest ballot's receipt, hex. */
  receiptHash: string;
}

/** A sealed ballot as Postgres keeps it. */
export interface SealedRow {
  keyId: string;
  sealed: Buffer;
}

export class SealError extends Error {
  override name = 'SealError';
}

// IVs from the CSPRNG 4 KB at a time; every byte used once (as the receipts' pool).
const ivPool = Buffer.alloc(IV_BYTES * 341);
let ivOffset = ivPool.length;
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

function aad(keyId: string, contestId: number): Buffer {
  return Buffer.from(`primaries-ballot-v${VERSION}:${keyId}:${contestId}`);
}

function encode(b: OpenedBallot, slots: number): Buffer {
  const n = Math.max(slots, b.marks.length);
  const out = Buffer.alloc(HEADER + 4 * n);
  out[0] = VERSION;
  if (!/^[0-9a-f]{64}$/.test(b.receiptHash)) throw new SealError('receipt hash must be 64 hex digits');
  out.write(b.receiptHash, 1, 'hex');
  out.writeUInt16BE(b.marks.length, 33);
  b.marks.forEach((m, i) => out.writeUInt32BE(m, HEADER + 4 * i));
  return out;
}

function decode(contestId: number, plain: Buffer): OpenedBallot {
  if (plain.length < HEADER || plain[0] !== VERSION) throw new SealError('unknown sealed ballot version');
  const count = plain.readUInt16BE(33);
  if (HEADER + 4 * count > plain.length) throw new SealError('sealed ballot too short for its marks');
  const marks = Array.from({ length: count }, (_, i) => plain.readUInt32BE(HEADER + 4 * i));
  return { contestId, marks, receiptHash: plain.subarray(1, 33).toString('hex') };
}

/** What seals and opens contest ballots (BallotSealer; tests may put a deliberately weak one in its place). */
export interface Sealer {
  seal(ballot: OpenedBallot, slots: number): string;
  open(contestId: number, text: string): OpenedBallot;
  openRow(contestId: number, row: SealedRow): OpenedBallot;
}

/** Seals with the first key; opens with any key listed. */
export class BallotSealer implements Sealer {
  // Key objects made once (not a raw key imported per ballot), and each contest's additional
  // data built once per key: the release opens tens of thousands of ballots a second.
  private readonly byId: ReadonlyMap<string, KeyObject>;
  private readonly aads = new Map<string, Buffer>();
  private readonly sealing: BallotKey;

  constructor(keys: readonly BallotKey[]) {
    if (!keys[0]) throw new SealError('no ballot key');
    this.sealing = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, createSecretKey(k.key)]));
  }

  private aadOf(keyId: string, contestId: number): Buffer {
    const k = `${keyId}:${contestId}`;
    let a = this.aads.get(k);
    if (!a) this.aads.set(k, (a = aad(keyId, contestId)));
    return a;
  }

  /** Seals one contest ballot, its marks padded to `slots` (the contest's limit). */
  seal(ballot: OpenedBallot, slots: number): string {
    const { id, key } = this.sealing;
    const iv = nextIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(id, ballot.contestId));
    const body = Buffer.concat([iv, cipher.update(encode(ballot, slots)), cipher.final(), cipher.getAuthTag()]);
    return `${id}.${body.toString('base64url')}`;
  }

  /** Opens a sealed ballot as stored (key id + bytes); throws SealError when it cannot. */
  openRow(contestId: number, row: SealedRow): OpenedBallot {
    const key = this.byId.get(row.keyId);
    if (!key) throw new SealError(`no ballot key with id ${row.keyId}`);
    if (row.sealed.length < IV_BYTES + TAG_BYTES + HEADER) throw new SealError('sealed ballot too short');
    const decipher = createDecipheriv('aes-256-gcm', key, row.sealed.subarray(0, IV_BYTES));
    decipher.setAAD(this.aadOf(row.keyId, contestId));
    decipher.setAuthTag(row.sealed.subarray(row.sealed.length - TAG_BYTES));
    let plain: Buffer;
    try {
      // GCM is a stream mode: update() gives the whole plaintext, final() only checks the tag.
      plain = decipher.update(row.sealed.subarray(IV_BYTES, row.sealed.length - TAG_BYTES));
      decipher.final();
    } catch {
      throw new SealError('sealed ballot fails authentication');
    }
    return decode(contestId, plain);
  }

  /** Opens the text form `<keyId>.<base64url>` (queue payloads). */
  open(contestId: number, text: string): OpenedBallot {
    return this.openRow(contestId, parseSealed(text));
  }
}

/** Splits the text form into what Postgres stores, without opening it. */
export function parseSealed(text: string): SealedRow {
  const dot = text.indexOf('.');
  if (dot < 1) throw new SealError('not a sealed ballot');
  return { keyId: text.slice(0, dot), sealed: Buffer.from(text.slice(dot + 1), 'base64url') };
}
