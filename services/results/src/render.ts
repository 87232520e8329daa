import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Snapshot } from '@primaries/results-model';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export type Encoding = 'br' | 'gzip' | 'identity';

/**
 * Brotli quality: 11 for the few hot resources (the summary, turnout, portal files);
 * 6 for the contest pages. On the 2020-sized snapshot (205 contests, 2 MB of JSON)
 * quality 9 took ~1 s of CPU for the same bytes as 6 (73 ms); 11 took 7 s for 12 % less.
 */
const BROTLI_MAX = 11;
const BROTLI_CONTESTS = 6;

/** One representation of a resource: its bytes and the headers that never change. */
interface Variant {
  body: Buffer;
  etag: string;
  headers: Record<string, string>;
}

/** A resource pre-rendered in every encoding we serve. */
export interface Resource {
  br: Variant;
  gzip: Variant;
  identity: Variant;
  /** Seconds-precision last modification, for If-Modified-Since. */
  lastModifiedMs: number;
  /** When the resource goes stale (the next refresh); null for static files. */
  expiresAtMs: number | null;
  /** Cache-Control max-age for resources that don't expire with the snapshot. */
  maxAge: number;
}

/**
 * Renders bytes once into identity, gzip and brotli variants with strong ETags
 * (`"<tag>.<encoding>"`: one per representation, as RFC 9110 wants for strong tags).
 * Compression runs in the libuv pool so the event loop keeps serving the old snapshot.
 */
export async function renderResource(
  raw: Buffer,
  contentType: string,
  opts: { tag: string; lastModifiedMs: number; expiresAtMs: number | null; maxAge?: number; brotliQuality?: number },
): Promise<Resource> {
  const [gz, br] = await Promise.all([
    gzipAsync(raw, { level: 9 }),
    brotliAsync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: opts.brotliQuality ?? BROTLI_MAX, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
  ]);
  const lastModified = new Date(opts.lastModifiedMs).toUTCString();
  const variant = (body: Buffer, enc: Encoding): Variant => {
    const etag = `"${opts.tag}.${enc === 'identity' ? 'id' : enc === 'gzip' ? 'gz' : 'br'}"`;
    const headers: Record<string, string> = {
      'content-type': contentType,
      etag,
      'last-modified': lastModified,
      vary: 'Accept-Encoding',
    };
    if (enc !== 'identity') headers['content-encoding'] = enc;
    return { body, etag, headers };
  };
  return {
    identity: variant(raw, 'identity'),
    gzip: variant(gz, 'gzip'),
    br: variant(br, 'br'),
    lastModifiedMs: Math.floor(opts.lastModifiedMs / 1000) * 1000,
    expiresAtMs: opts.expiresAtMs,
    maxAge: opts.maxAge ?? 60,
  };
}

/** Everything the API answers for one snapshot, rendered once when the snapshot arrives. */
export interface RenderedSnapshot {
  version: number;
  /** The snapshot's JSON exactly as the worker stored it: the body its signed header hashes (issue #16). */
  raw?: string;
  snapshot: Snapshot;
  summary: Resource;
  turnout: Resource;
  contests: Map<number, Resource>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** The public shapes of the results site (docs/results.md), from a snapshot. */
function summaryBody(s: Snapshot) {
  const regions = new Map<number, { id: number; name: string; nameKk: string | null }>();
  for (const c of s.contests) if (c.regionId !== null && c.region !== null) regions.set(c.regionId, { id: c.regionId, name: c.region, nameKk: c.regionKk });
  return {
    electionId: s.electionId,
    election: s.election,
    version: s.version,
    generatedAt: s.generatedAt,
    nextRefreshAt: s.nextRefreshAt,
    refreshSeconds: s.refreshSeconds,
    final: s.final,
    turnout: s.turnout,
    pending: s.pending,
    auditHead: s.auditHead ?? null,
    /** Paper polling stations' progress (issue #15): protocols accepted of those expected. */
    paper: s.paper ?? { stations: 0, protocolsExpected: 0, protocolsAccepted: 0 },
    /** The signed, chained header (issue #16): N in the chain, its hash, the previous one's, the signature. */
    snapshot: s.signed?.seq ?? null,
    hash: s.signed?.hash ?? null,
    prevHash: s.signed?.prevHash ?? null,
    signature: s.signed ? { keyId: s.signed.keyId, algorithm: 'Ed25519', value: s.signed.signature } : null,
    turnoutByHour: s.turnoutByHour,
    /** Candidates the party-control committee removed, with when and why: the public list. */
    removed: s.contests.flatMap((c) =>
      c.candidates
        .filter((x) => x.removed)
        .map((x) => ({ contestId: c.id, candidateId: x.id, name: x.name, nameKk: x.nameKk, removedAt: x.removedAt, reason: x.removalReason })),
    ),
    regions: [...regions.values()].sort((a, b) => a.name.localeCompare(b.name)),
    contests: s.contests.map((c) => ({
      id: c.id,
      name: c.name,
      nameKk: c.nameKk,
      level: c.level,
      regionId: c.regionId,
      region: c.region,
      regionKk: c.regionKk,
      districtId: c.districtId,
      district: c.district,
      districtKk: c.districtKk,
      seats: c.seats,
      ballots: c.ballots,
      online: c.online,
      paper: c.paper,
      pending: c.pending,
    })),
  };
}

export function contestBody(s: Snapshot, c: Snapshot['contests'][number]) {
  const order = (key: 'womenRank' | 'youthRank') =>
    c.candidates.filter((x) => x[key] !== null).sort((a, b) => (a[key] as number) - (b[key] as number) || a.ballotOrder - b.ballotOrder).map((x) => x.id);
  return {
    contest: {
      id: c.id, name: c.name, nameKk: c.nameKk, level: c.level, regionId: c.regionId, region: c.region, regionKk: c.regionKk,
      districtId: c.districtId, district: c.district, districtKk: c.districtKk, seats: c.seats, maxChoices: c.maxChoices,
    },
    electionId: s.electionId,
    version: s.version,
    generatedAt: s.generatedAt,
    nextRefreshAt: s.nextRefreshAt,
    final: s.final,
    ballots: c.ballots,
    online: c.online,
    paper: c.paper,
    pending: c.pending,
    candidates: c.candidates,
    /** Candidate ids in the order of the women's and the under-35s' ratings. */
    ratings: { women: order('womenRank'), youth: order('youthRank') },
    quotas: c.quotas,
    /** The party list with the quotas applied (issue #13); null from a snapshot built before it. */
    partyList: c.partyList ?? null,
  };
}

function turnoutBody(s: Snapshot) {
  return s.turnoutByRegion.map((t) => ({ regionId: t.regionId, regionCode: t.regionCode, region: t.region, regionKk: t.regionKk, eligible: t.eligible, authorized: t.authorized, voted: t.voted }));
}

export async function renderSnapshot(s: Snapshot): Promise<RenderedSnapshot> {
  const opts = (name: string) => ({ tag: `v${s.version}-${name}`, lastModifiedMs: Date.parse(s.generatedAt), expiresAtMs: Date.parse(s.nextRefreshAt) });
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const [summary, turnout, ...contests] = await Promise.all([
    renderResource(json(summaryBody(s)), JSON_TYPE, opts('all')),
    renderResource(json(turnoutBody(s)), JSON_TYPE, opts('turnout')),
    ...s.contests.map((c) => renderResource(json(contestBody(s, c)), JSON_TYPE, { ...opts(`c${c.id}`), brotliQuality: BROTLI_CONTESTS })),
  ]);
  return {
    version: s.version,
    snapshot: s,
    summary: summary,
    turnout: turnout,
    contests: new Map(s.contests.map((c, i) => [c.id, contests[i]!])),
  };
}

