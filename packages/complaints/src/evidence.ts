import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type/node';

/** At most this many evidence files per complaint (issue #14). */
export const EVIDENCE_MAX_FILES = 5;
/** At most this many bytes per file (after base64 decoding). */
export const EVIDENCE_MAX_BYTES = 2 * 1024 * 1024;
/** An image declaring more pixels than this is a decompression bomb (50 megapixels; a phone photo has 12). */
export const EVIDENCE_MAX_PIXELS = 50_000_000;

export type EvidenceMediaType = 'application/pdf' | 'image/jpeg' | 'image/png';
const ALLOWED = new Set<string>(['application/pdf', 'image/jpeg', 'image/png']);
/** Compressed containers: whatever their name, a zip bomb's envelope. */
const ARCHIVES = new Set(['zip', 'gz', 'bz2', 'xz', '7z', 'rar', 'zst', 'tar', 'lz', 'lzh', 'cab', 'Z', 'lz4', 'br']);

/**
 * Why a file was refused; each service answers it with its own prefixed code
 * (`RESULTS_ERR_EVIDENCE_TYPE`, …) and nothing of the complaint is stored.
 */
export type EvidenceProblemCode = 'EVIDENCE_TOO_MANY' | 'EVIDENCE_TOO_LARGE' | 'EVIDENCE_TYPE' | 'EVIDENCE_BOMB' | 'EVIDENCE_POLYGLOT';

export class EvidenceProblem extends Error {
  constructor(
    readonly problem: EvidenceProblemCode,
    readonly fileName: string | null,
  ) {
    super(`${problem}${fileName ? ` (${fileName})` : ''}`);
  }
}

/** A file as a client sends it: its name and its bytes in base64. */
export interface EvidenceUpload {
  name: string;
  data: string;
}

/** A file that passed: the type found in its bytes, its size and SHA-256. */
export interface CheckedEvidence {
  name: string;
  mediaType: EvidenceMediaType;
  size: number;
  sha256: string;
  bytes: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks every file (count, size, type by content, bombs, polyglots); throws the first problem. */
export async function checkEvidence(files: readonly EvidenceUpload[]): Promise<CheckedEvidence[]> {
  if (files.length > EVIDENCE_MAX_FILES) throw new EvidenceProblem('EVIDENCE_TOO_MANY', null);
  const out: CheckedEvidence[] = [];
  for (const f of files) out.push(await checkOne(f));
  return out;
}

async function checkOne(f: EvidenceUpload): Promise<CheckedEvidence> {
  // Refused before decoding: base64 is 4 characters per 3 bytes.
  if (f.data.length > Math.ceil(EVIDENCE_MAX_BYTES / 3) * 4) throw new EvidenceProblem('EVIDENCE_TOO_LARGE', f.name);
  if (!BASE64.test(f.data)) throw new EvidenceProblem('EVIDENCE_TYPE', f.name);
  const bytes = Buffer.from(f.data, 'base64');
  if (bytes.length > EVIDENCE_MAX_BYTES) throw new EvidenceProblem('EVIDENCE_TOO_LARGE', f.name);
  const found = await fileTypeFromBuffer(bytes);
  if (found && ARCHIVES.has(found.ext)) throw new EvidenceProblem('EVIDENCE_BOMB', f.name);
  if (!found || !ALLOWED.has(found.mime)) throw new EvidenceProblem('EVIDENCE_TYPE', f.name);
  const mediaType = found.mime as EvidenceMediaType;
  if (tooManyPixels(bytes, mediaType)) throw new EvidenceProblem('EVIDENCE_BOMB', f.name);
  if (isPolyglot(bytes, mediaType)) throw new EvidenceProblem('EVIDENCE_POLYGLOT', f.name);
  return { name: f.name, mediaType, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}

/** Declared image dimensions (PNG IHDR, JPEG SOFn) beyond EVIDENCE_MAX_PIXELS: a viewer would inflate it to gigabytes. */
function tooManyPixels(b: Buffer, type: EvidenceMediaType): boolean {
  const dims = type === 'image/png' ? pngSize(b) : type === 'image/jpeg' ? jpegSize(b) : null;
  return dims !== null && dims.width * dims.height > EVIDENCE_MAX_PIXELS;
}

function pngSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function jpegSize(b: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    const len = b.readUInt16BE(i + 2);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

/** Markup and scripts a browser or reader would run, in any of the three types. */
const ACTIVE = /<script|<html|<svg|<\?php|<iframe|javascript:/i;
/** PDF features that run or carry other files. */
const PDF_ACTIVE = /\/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b/;

/**
 * A file that is also something else: an archive inside it (a zip's local header and its
 * end record), markup, PDF actions, or bytes after the format's own end (JPEG EOI, PNG
 * IEND, PDF %%EOF) where a second file hides.
 */
function isPolyglot(b: Buffer, type: EvidenceMediaType): boolean {
  const text = b.toString('latin1');
  if (text.includes('PK\x03\x04') && text.includes('PK\x05\x06')) return true;
  if (ACTIVE.test(text)) return true;
  if (type === 'application/pdf') return PDF_ACTIVE.test(text) || trailing(text, text.lastIndexOf('%%EOF'), 5);
  if (type === 'image/png') return trailing(text, text.lastIndexOf('IEND'), 8);
  return trailing(text, text.lastIndexOf('\xff\xd9'), 2);
}

/** More than a line end after the end marker at `at` (of `len` bytes with its CRC). */
function trailing(text: string, at: number, len: number): boolean {
  if (at < 0) return true;
  return text.slice(at + len).replace(/[\r\n\0 ]/g, '').length > 0;
}
