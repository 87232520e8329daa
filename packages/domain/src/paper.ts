import { isValidIin } from './iin';

/**
 * Paper ballots at polling stations (issue #15): the paper day's window, the station and
 * list CSV rows, and a protocol's control relations. Pure functions; the admin service,
 * the vote service and the CLI call them.
 */

export type PaperWindowState = 'before' | 'open' | 'closed';

/** Where a station's paper day stands by server time: check-ins only while open, protocols once closed. */
export function paperWindowState(station: { opensAt: Date; closesAt: Date }, now: Date = new Date()): PaperWindowState {
  if (now.getTime() < station.opensAt.getTime()) return 'before';
  if (now.getTime() >= station.closesAt.getTime()) return 'closed';
  return 'open';
}

/** Columns of a stations CSV (any order; `address` may be empty). Times are ISO 8601 with an offset. */
export const STATION_CSV_COLUMNS = ['code', 'settlement', 'region', 'district', 'address', 'opens_at', 'closes_at'] as const;
/** Columns of a station-list CSV: which member (by IIN) votes at which station (by code). */
export const STATION_LIST_CSV_COLUMNS = ['station', 'iin'] as const;

export type StationRowReason =
  | 'code_invalid'
  | 'settlement_invalid'
  | 'region_missing'
  | 'district_missing'
  | 'hours_invalid'
  | 'hours_order'
  | 'iin_invalid'
  | 'station_missing'
  | 'region_unknown'
  | 'district_unknown'
  | 'district_not_in_region'
  | 'code_duplicate_in_file'
  | 'iin_duplicate_in_file'
  | 'station_unknown'
  | 'member_unknown'
  | 'csv_malformed';

export interface StationRow {
  code: string;
  settlement: string;
  region: string;
  district: string;
  address: string | null;
  opensAt: Date;
  closesAt: Date;
}

export type RowResult<T> = { ok: true; row: T } | { ok: false; reason: StationRowReason; message: string };

// An offset is required: "server time decides", and a time without a zone means nothing to it.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(s: string): Date | null {
  if (!ISO_WITH_ZONE.test(s)) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

const fail = (reason: StationRowReason, message: string) => ({ ok: false as const, reason, message });

/** A polling station row: everything that needs no database. */
export function parseStationRow(r: Record<string, string | undefined>): RowResult<StationRow> {
  const code = (r.code ?? '').trim();
  if (!/^[\p{L}\d_-]{1,32}$/u.test(code)) return fail('code_invalid', 'code: 1–32 letters, digits, - or _');
  const settlement = (r.settlement ?? '').trim();
  if (settlement.length < 2 || settlement.length > 200) return fail('settlement_invalid', 'settlement: 2–200 characters');
  const region = (r.region ?? '').trim();
  if (!region) return fail('region_missing', 'region: a region code');
  const district = (r.district ?? '').trim();
  if (!district) return fail('district_missing', 'district: a district code');
  const opensAt = instant((r.opens_at ?? '').trim());
  const closesAt = instant((r.closes_at ?? '').trim());
  if (!opensAt || !closesAt) return fail('hours_invalid', 'opens_at, closes_at: ISO 8601 with an offset, e.g. 2026-10-03T08:00+06:00');
  if (closesAt.getTime() <= opensAt.getTime() || closesAt.getTime() - opensAt.getTime() > 24 * 3600_000) return fail('hours_order', 'closes_at must be after opens_at, within 24 hours');
  const address = (r.address ?? '').trim();
  return { ok: true, row: { code, settlement, region, district, address: address || null, opensAt, closesAt } };
}

/** A station-list row: the station's code and a member's IIN (checksum verified). */
export function parseStationListRow(r: Record<string, string | undefined>): RowResult<{ station: string; iin: string }> {
  const station = (r.station ?? '').trim();
  if (!station) return fail('station_missing', 'station: a station code');
  const iin = (r.iin ?? '').trim();
  if (!isValidIin(iin)) return fail('iin_invalid', 'iin: 12 digits with a valid check digit');
  return { ok: true, row: { station, iin } };
}

/** A protocol as the commission enters it: counts and votes per candidate. */
export interface ProtocolFigures {
  received: number;
  issued: number;
  found: number;
  spoiled: number;
  /** candidate id → votes */
  votes: ReadonlyMap<number, number>;
}

export type ProtocolProblem =
  | { code: 'ISSUED_OVER_RECEIVED' }
  | { code: 'FOUND_OVER_ISSUED' }
  | { code: 'SPOILED_OVER_FOUND' }
  | { code: 'VOTES_OVER_LIMIT'; limit: number }
  | { code: 'ISSUED_NOT_CHECKINS'; checkins: number }
  | { code: 'UNKNOWN_CANDIDATE'; candidateId: number }
  | { code: 'MISSING_CANDIDATE'; candidateId: number };

/**
 * The control relations of a precinct protocol: issued ≤ received, found ≤ issued,
 * spoiled ≤ found, the votes at most (found − spoiled) × the contest's max choices, issued
 * equal to the station's check-ins for the contest, and a figure for every candidate on
 * the ballot (and none other). Every problem, not just the first.
 */
export function checkProtocol(p: ProtocolFigures, ctx: { maxChoices: number; checkins: number; candidateIds: readonly number[] }): ProtocolProblem[] {
  const out: ProtocolProblem[] = [];
  if (p.issued > p.received) out.push({ code: 'ISSUED_OVER_RECEIVED' });
  if (p.found > p.issued) out.push({ code: 'FOUND_OVER_ISSUED' });
  if (p.spoiled > p.found) out.push({ code: 'SPOILED_OVER_FOUND' });
  const limit = Math.max(0, p.found - p.spoiled) * ctx.maxChoices;
  let sum = 0;
  for (const v of p.votes.values()) sum += v;
  if (sum > limit) out.push({ code: 'VOTES_OVER_LIMIT', limit });
  if (p.issued !== ctx.checkins) out.push({ code: 'ISSUED_NOT_CHECKINS', checkins: ctx.checkins });
  const known = new Set(ctx.candidateIds);
  for (const id of p.votes.keys()) if (!known.has(id)) out.push({ code: 'UNKNOWN_CANDIDATE', candidateId: id });
  for (const id of ctx.candidateIds) if (!p.votes.has(id)) out.push({ code: 'MISSING_CANDIDATE', candidateId: id });
  return out;
}

/** Whether two entries of a protocol say the same thing (every count and every candidate's votes). */
export function protocolEntriesMatch(a: ProtocolFigures, b: ProtocolFigures): boolean {
  if (a.received !== b.received || a.issued !== b.issued || a.found !== b.found || a.spoiled !== b.spoiled) return false;
  if (a.votes.size !== b.votes.size) return false;
  for (const [id, v] of a.votes) if (b.votes.get(id) !== v) return false;
  return true;
}
