import { isValidIin, parseIin } from './iin';
import { parseIsoDate } from './member-row';

/**
 * The election setup CSVs (`pnpm primaries election import`, docs/election-setup.md): one
 * file per kind, a header row naming the columns in any order. Each row is checked here on
 * its own; what needs the other rows or the database (unknown codes, duplicates) is checked
 * by the importer. Region and district are given by code; a contest is named by its place
 * (region and district codes, both empty for the national list).
 */
export const ELECTION_SETUP_COLUMNS = {
  regions: { required: ['code', 'name_ru'], optional: ['name_kk'] },
  districts: { required: ['code', 'region', 'name_ru', 'kind'], optional: ['name_kk'] },
  contests: { required: ['region', 'district', 'name_ru', 'seats', 'max_marks'], optional: ['name_kk'] },
  candidates: {
    required: ['region', 'district', 'ballot_order', 'full_name_ru'],
    optional: ['full_name_kk', 'gender', 'birth_date', 'iin', 'occupation'],
  },
} as const;
export type SetupKind = keyof typeof ELECTION_SETUP_COLUMNS;
export const SETUP_KINDS = Object.keys(ELECTION_SETUP_COLUMNS) as SetupKind[];

/** Stable reasons a setup row is refused. */
export type SetupRowReason =
  | 'csv_malformed'
  | 'code_invalid'
  | 'name_invalid'
  | 'kind_invalid'
  | 'region_missing'
  | 'district_without_region'
  | 'seats_invalid'
  | 'max_marks_invalid'
  | 'ballot_order_invalid'
  | 'iin_invalid'
  | 'gender_invalid'
  | 'gender_missing'
  | 'birth_date_invalid'
  | 'birth_date_missing'
  | 'occupation_invalid'
  // Decided by the importer (other rows, the database):
  | 'region_unknown'
  | 'district_unknown'
  | 'district_not_in_region'
  | 'district_moves_region'
  | 'contest_unknown'
  | 'duplicate_in_file'
  | 'ballot_order_duplicate'
  | 'candidate_duplicate';

export type Row = Readonly<Record<string, string | undefined>>;
export type SetupResult<T> = { ok: true; row: T } | { ok: false; reason: SetupRowReason; message: string };

const MAX_TEXT = 300;
const CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

function fail<T>(reason: SetupRowReason, message: string): SetupResult<T> {
  return { ok: false, reason, message };
}
const text = (v: string | undefined) => (v ?? '').trim().replace(/\s+/g, ' ');
/** The Kazakh name: null when empty (the name is the same in both languages). */
const kk = (v: string | undefined) => text(v) || null;
function positiveInt(v: string | undefined): number | null {
  const s = text(v);
  return /^\d{1,6}$/.test(s) && Number(s) >= 1 ? Number(s) : null;
}
function names(ru: string | undefined, kazakh: string | undefined, column: string): { name: string; nameKk: string | null } | string {
  const name = text(ru);
  if (!name) return `${column}_ru is empty`;
  if (name.length > MAX_TEXT || text(kazakh).length > MAX_TEXT) return `${column} is longer than ${MAX_TEXT} characters`;
  return { name, nameKk: kk(kazakh) };
}

export interface RegionSetupRow { code: string; name: string; nameKk: string | null }
export interface DistrictSetupRow extends RegionSetupRow { region: string; kind: 'city' | 'district' }
export interface ContestSetupRow {
  /** Region and district codes; null for the national list / a region's council. */
  region: string | null;
  district: string | null;
  level: 'national' | 'region' | 'district';
  name: string;
  nameKk: string | null;
  seats: number;
  maxMarks: number;
}
export interface CandidateSetupRow {
  region: string | null;
  district: string | null;
  ballotOrder: number;
  fullName: string;
  fullNameKk: string | null;
  gender: 'F' | 'M';
  birthDate: string;
  /** Kept only to find the member and to catch one person twice; never stored on the candidate or logged. */
  iin: string | null;
  occupation: string | null;
}

export function parseRegionRow(raw: Row): SetupResult<RegionSetupRow> {
  const code = text(raw.code);
  if (!CODE.test(code)) return fail('code_invalid', 'code must be 1–32 of A–Z, 0–9, "-", "_"');
  const n = names(raw.name_ru, raw.name_kk, 'name');
  if (typeof n === 'string') return fail('name_invalid', n);
  return { ok: true, row: { code, ...n } };
}

export function parseDistrictRow(raw: Row): SetupResult<DistrictSetupRow> {
  const base = parseRegionRow(raw);
  if (!base.ok) return base;
  const region = text(raw.region);
  if (!region) return fail('region_missing', 'region code is empty');
  const kind = text(raw.kind).toLowerCase();
  if (kind !== 'city' && kind !== 'district') return fail('kind_invalid', 'kind must be city or district');
  return { ok: true, row: { ...base.row, region, kind } };
}

function place(raw: Row): { region: string | null; district: string | null } | null {
  const region = text(raw.region) || null;
  const district = text(raw.district) || null;
  return district && !region ? null : { region, district };
}

export function parseContestRow(raw: Row): SetupResult<ContestSetupRow> {
  const p = place(raw);
  if (!p) return fail('district_without_region', 'a district contest names its region too');
  const n = names(raw.name_ru, raw.name_kk, 'name');
  if (typeof n === 'string') return fail('name_invalid', n);
  const seats = positiveInt(raw.seats);
  if (seats === null) return fail('seats_invalid', 'seats must be a whole number ≥ 1');
  const maxMarks = positiveInt(raw.max_marks);
  if (maxMarks === null) return fail('max_marks_invalid', 'max_marks must be a whole number ≥ 1');
  const level = p.district ? 'district' : p.region ? 'region' : 'national';
  return { ok: true, row: { ...p, level, name: n.name, nameKk: n.nameKk, seats, maxMarks } };
}

/**
 * A candidate row. Gender and birth date come from their columns; when a column is empty
 * they are read from the IIN's soft digits (century/sex digit, YYMMDD). Given both, the
 * columns win: the IIN's soft digits are not guaranteed (DOMAIN.md).
 */
export function parseCandidateRow(raw: Row, today: string): SetupResult<CandidateSetupRow> {
  const p = place(raw);
  if (!p) return fail('district_without_region', 'a district contest names its region too');
  const ballotOrder = positiveInt(raw.ballot_order);
  if (ballotOrder === null) return fail('ballot_order_invalid', 'ballot_order must be a whole number ≥ 1');
  const n = names(raw.full_name_ru, raw.full_name_kk, 'full_name');
  if (typeof n === 'string') return fail('name_invalid', n);
  const iin = text(raw.iin) || null;
  if (iin !== null && !isValidIin(iin)) return fail('iin_invalid', 'IIN must be 12 digits with a correct check digit');
  const fromIin = iin ? parseIin(iin) : { gender: null, birthDate: null };
  const g = text(raw.gender).toUpperCase();
  if (g && g !== 'F' && g !== 'M') return fail('gender_invalid', 'gender must be F or M');
  const gender = (g || fromIin.gender) as 'F' | 'M' | null;
  if (!gender) return fail('gender_missing', 'no gender, and no IIN to read it from');
  const b = text(raw.birth_date);
  const birthDate = b ? parseIsoDate(b, today) : fromIin.birthDate && fromIin.birthDate <= today ? fromIin.birthDate : null;
  if (b && !birthDate) return fail('birth_date_invalid', 'birth_date must be a real date YYYY-MM-DD, not in the future');
  if (!birthDate) return fail('birth_date_missing', 'no birth_date, and the IIN has no readable birth date');
  const occupation = text(raw.occupation) || null;
  if (occupation && occupation.length > MAX_TEXT) return fail('occupation_invalid', `occupation is longer than ${MAX_TEXT} characters`);
  return { ok: true, row: { ...p, ballotOrder, fullName: n.name, fullNameKk: n.nameKk, gender, birthDate, iin, occupation } };
}

/** A contest's place as one key: `national`, `R:<region>`, `D:<region>/<district>`. */
export function placeKey(p: { region: string | null; district: string | null }): string {
  return p.district ? `D:${p.region}/${p.district}` : p.region ? `R:${p.region}` : 'national';
}
