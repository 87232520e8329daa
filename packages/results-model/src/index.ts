import { z } from 'zod';
import { signedHeaderSchema } from './signed';

export * from './signed';

/**
 * The results snapshot: what the worker's tally job writes to Redis and the results
 * service serves. One JSON document per rebuild, versioned, never edited in place.
 */

const level = z.enum(['national', 'region', 'district']);

export const candidateResultSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The name as written in Kazakh, when it differs (null in older snapshots). */
  nameKk: z.string().nullable().default(null),
  ballotOrder: z.number().int(),
  /** Online marks + accepted paper protocol votes; 0 for a removed candidate (their marks are not counted). */
  votes: z.number().int(),
  online: z.number().int(),
  paper: z.number().int(),
  /** votes / ballots in the contest × 100, two decimals. */
  percent: z.number(),
  /** Competition rank by votes (1, 2, 2, 4); null for a removed candidate. */
  rank: z.number().int().nullable(),
  woman: z.boolean(),
  /** Under 35 on election day. */
  youth: z.boolean(),
  removed: z.boolean(),
  /** When and why the party-control committee removed the candidate (null while active, or in older snapshots). */
  removedAt: z.string().nullable().default(null),
  removalReason: z.string().nullable().default(null),
  /** Rank among women / among the under-35s (null when not in that group or removed). */
  womenRank: z.number().int().nullable(),
  youthRank: z.number().int().nullable(),
});
export type CandidateResult = z.infer<typeof candidateResultSchema>;

export const quotaReportSchema = z.object({
  /** Size of the list formed from the results: the contest's seats. */
  seats: z.number().int(),
  /** Ids of the top-`seats` active candidates by rank. */
  top: z.array(z.number().int()),
  women: z.number().int(),
  youth: z.number().int(),
  womenRequired: z.number().int(),
  youthRequired: z.number().int(),
  womenShare: z.number(),
  youthShare: z.number(),
  womenMet: z.boolean(),
  youthMet: z.boolean(),
});
export type QuotaReport = z.infer<typeof quotaReportSchema>;

export const partyListSchema = z.object({
  /** The contest's seats: the list's length when there are enough active candidates. */
  seats: z.number().int(),
  filled: z.number().int(),
  /** The list in rating order; `reason` says whether a place came from the plain rating or the quotas. */
  entries: z.array(
    z.object({
      position: z.number().int(),
      id: z.number().int(),
      rank: z.number().int(),
      woman: z.boolean(),
      youth: z.boolean(),
      reason: z.enum(['rating', 'women', 'youth', 'women+youth']),
    }),
  ),
  /** Candidates of the plain top-`seats` who gave way to a quota. */
  displaced: z.array(z.number().int()),
  women: z.number().int(),
  youth: z.number().int(),
  womenRequired: z.number().int(),
  youthRequired: z.number().int(),
  womenMet: z.boolean(),
  youthMet: z.boolean(),
  /** Places a quota still lacks for want of qualifying candidates (0 when met). */
  womenShort: z.number().int(),
  youthShort: z.number().int(),
});
export type PartyListResult = z.infer<typeof partyListSchema>;

export const contestResultSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  nameKk: z.string().nullable(),
  level,
  regionId: z.number().int().nullable(),
  region: z.string().nullable(),
  regionKk: z.string().nullable(),
  districtId: z.number().int().nullable(),
  district: z.string().nullable(),
  districtKk: z.string().nullable(),
  seats: z.number().int(),
  maxChoices: z.number().int(),
  /** Ballots in the contest: online ballots + ballots cast on accepted paper protocols. */
  ballots: z.number().int(),
  online: z.number().int(),
  paper: z.number().int(),
  /** Online ballots of the contest recorded (sealed) but not yet released into the count (issue #9; 0 in older snapshots). */
  pending: z.number().int().default(0),
  candidates: z.array(candidateResultSchema),
  quotas: quotaReportSchema,
  /**
   * The party list formed from the rating with the quotas applied (issue #13; absent in older
   * snapshots): ≥ 30 % women and ≥ 20 % under 35 among the seats, rounded up; the
   * lowest-ranked elected who break a quota give way to the next qualifying candidates.
   */
  partyList: partyListSchema.optional(),
});
export type ContestResult = z.infer<typeof contestResultSchema>;

export const turnoutSchema = z.object({
  /** Active members admitted before the freeze date. */
  eligible: z.number().int(),
  /** Distinct members who authorized in this election. */
  authorized: z.number().int(),
  /** Distinct members who voted in at least one contest (either channel). */
  voted: z.number().int(),
});
export type Turnout = z.infer<typeof turnoutSchema>;

export const regionTurnoutSchema = turnoutSchema.extend({
  regionId: z.number().int(),
  /** ISO 3166-2:KZ code without the country prefix (`AKM`): where the region sits on the portal's tile map. */
  regionCode: z.string().nullable().default(null),
  region: z.string(),
  regionKk: z.string().nullable(),
});
export type RegionTurnout = z.infer<typeof regionTurnoutSchema>;

export const hourTurnoutSchema = z.object({
  /** Start of the hour, ISO 8601. */
  hour: z.string(),
  /** Members whose first ballot of the election was recorded in this hour. */
  voted: z.number().int(),
  /** Members who had voted by the end of this hour. */
  cumulative: z.number().int(),
});
export type HourTurnout = z.infer<typeof hourTurnoutSchema>;

/**
 * A decision that removed or restored a candidate or blocked a member (issue #14): the
 * member by region and primary organisation only, never a name or IIN.
 */
export const publicDecisionSchema = z.object({
  id: z.number().int(),
  kind: z.enum(['remove_candidate', 'restore_candidate', 'block_member']),
  decidedAt: z.string(),
  /** A removal reason code (skipped_debates, withdrew, deregistered, campaign_violation, other) or a block's. */
  reason: z.string().nullable(),
  candidate: z.object({ id: z.number().int(), contestId: z.number().int(), name: z.string(), nameKk: z.string().nullable() }).nullable(),
  member: z.object({ region: z.string().nullable(), regionKk: z.string().nullable(), organisation: z.string() }).nullable(),
});
export type PublicDecision = z.infer<typeof publicDecisionSchema>;

export const snapshotSchema = z.object({
  /** Monotonic per deployment (Redis INCR); the ETag is built from it. */
  version: z.number().int().positive(),
  electionId: z.number().int(),
  election: z.object({
    id: z.number().int(),
    name: z.string(),
    nameKk: z.string().nullable(),
    opensAt: z.string(),
    closesAt: z.string(),
    state: z.enum(['upcoming', 'open', 'closed']),
  }),
  generatedAt: z.string(),
  nextRefreshAt: z.string(),
  refreshSeconds: z.number().int().positive(),
  /** True once the election's results_published_at is set. */
  final: z.boolean(),
  /** How long the rebuild's queries took, in ms. */
  buildMs: z.number(),
  turnout: turnoutSchema,
  turnoutByRegion: z.array(regionTurnoutSchema),
  /**
   * Online ballots accepted but not yet released into the count: sealed in Postgres
   * (released in groups of BALLOT_RELEASE_MIN, everything at the close) plus still queued.
   */
  pending: z.number().int().default(0),
  /**
   * Members who voted (either channel) by the hour of their first participation, from
   * participation's `recorded_hour` (issue #11): counts per hour only, never a member, never
   * a contest, and ballots carry no time, so it links nobody to a ballot (docs/secrecy.md).
   */
  turnoutByHour: z.array(hourTurnoutSchema).default([]),
  /**
   * Paper polling stations (issue #15; absent in older snapshots): stations, protocols
   * expected (each station × the contests of its place) and protocols accepted so far.
   */
  paper: z.object({ stations: z.number().int(), protocolsExpected: z.number().int(), protocolsAccepted: z.number().int() }).optional(),
  /** The audit trail's head when the snapshot was built (issue #12): its seq and hash. */
  auditHead: z.object({ seq: z.number().int().min(0), hash: z.string() }).optional(),
  contests: z.array(contestResultSchema),
  /** The party-control committee's public record (issue #14). */
  decisions: z.array(publicDecisionSchema).default([]),
  /** The signed, chained header (issue #16): absent in older snapshots. */
  signed: signedHeaderSchema.optional(),
});
export type Snapshot = z.infer<typeof snapshotSchema>;
/** A snapshot before it has a version number (what the tally computes). */
export type SnapshotDraft = Omit<Snapshot, 'version'>;

/** Redis key names for a deployment's REDIS_PREFIX. */
export function resultsKeys(prefix: string) {
  return {
    /** Counter handing out snapshot versions. */
    sequence: `${prefix}:results:seq`,
    /** The current version number (set in the same MULTI as the snapshot). */
    current: `${prefix}:results:current`,
    /** One snapshot's JSON. */
    version: (n: number) => `${prefix}:results:v${n}`,
    /** Pub/sub channel: the message is the new version number. */
    channel: `${prefix}:results:updated`,
    /** Hash: seq → one signed snapshot header's JSON, for one election's chain (issue #16). */
    chain: (electionId: number) => `${prefix}:results:chain:${electionId}`,
    /** Hash: key id → the public signing key's JSON (`GET /api/v1/keys`). */
    keys: `${prefix}:results:keys`,
    /** The public archive of one election: the manifest (JSON list of files) and each file's bytes. */
    archiveManifest: (electionId: number) => `${prefix}:archive:${electionId}:manifest`,
    archiveFile: (electionId: number, name: string) => `${prefix}:archive:${electionId}:file:${name}`,
  };
}

/** Seconds a superseded snapshot stays readable, for readers who just read the old pointer. */
export const SUPERSEDED_TTL_SECONDS = 300;

/**
 * Redis keys of the final protocols (issue #13): the worker writes each contest's CSV and
 * PDF once the results are published; the results site serves them from here.
 */
export function protocolKeys(prefix: string) {
  return {
    /** Hash: `<contestId>.csv` / `<contestId>.pdf` → the protocol's bytes. */
    election: (electionId: number) => `${prefix}:protocols:e${electionId}`,
  };
}
