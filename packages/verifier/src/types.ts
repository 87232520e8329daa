/**
 * The shapes the verifier reads from a results site, written out here rather than imported,
 * so that this package stands alone (docs/verification.md describes each).
 */

export interface PublicKey {
  id: string;
  algorithm: string;
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
  spki: string;
}

export interface ArchiveFile {
  name: string;
  kind: 'ballots' | 'receipts' | 'paper-protocols';
  contestId: number | null;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface SignedHeader {
  electionId: number;
  seq: number;
  version: number;
  generatedAt: string;
  state: string;
  final: boolean;
  bodyHash: string;
  prevHash: string;
  auditHead: { seq: number; hash: string };
  archive: ArchiveFile[] | null;
  keyId: string;
  hash: string;
  signature: string;
}

interface CandidateResult {
  id: number;
  name: string;
  votes: number;
  online: number;
  paper: number;
  removed: boolean;
}

export interface ContestResult {
  id: number;
  name: string;
  level: 'national' | 'region' | 'district';
  regionId: number | null;
  maxChoices: number;
  ballots: number;
  online: number;
  paper: number;
  candidates: CandidateResult[];
}

export interface SnapshotBody {
  electionId: number;
  version: number;
  turnout: { eligible: number; authorized: number; voted: number };
  turnoutByRegion: { regionId: number; region: string; eligible: number; voted: number }[];
  contests: ContestResult[];
  signed?: SignedHeader;
  [field: string]: unknown;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: { role: string; id: string };
  action: string;
  subject: string | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** One difference the verifier found: which check, and what. */
export interface Problem {
  check: 'keys' | 'chain' | 'snapshot' | 'audit' | 'archive' | 'tally' | 'turnout' | 'removed';
  message: string;
}
