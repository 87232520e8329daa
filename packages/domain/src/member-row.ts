import { isValidIin } from './iin';
import { KZ_MOBILE_CODES, normalizePhone } from './phone';

/**
 * One row of the party register as `pnpm seed` writes it and `members import` reads it.
 * The header names these columns (any order); region and district are given by code.
 */
export const MEMBER_CSV_COLUMNS = [
  'iin', 'phone', 'full_name', 'gender', 'birth_date', 'region', 'district', 'primary_org', 'admitted_at', 'status',
] as const;
export type MemberCsvColumn = (typeof MEMBER_CSV_COLUMNS)[number];

export const MEMBER_STATUSES = ['active', 'expelled', 'blocked', 'suspended'] as const;
export type MemberRowStatus = (typeof MEMBER_STATUSES)[number];

/** A register row that passed every check that needs no database. */
export interface MemberRow {
  iin: string;
  /** E.164 `+77xxxxxxxxx`. */
  phone: string;
  full_name: string;
  gender: 'F' | 'M';
  /** YYYY-MM-DD. */
  birth_date: string;
  region: string;
  district: string;
  primary_org: string;
  /** YYYY-MM-DD. */
  admitted_at: string;
  status: MemberRowStatus;
}

/**
 * Stable reasons a row is refused. The first group is decided here from the row alone; the
 * second needs the register and the rest of the file (the importer decides those).
 */
export type MemberRowReason =
  | 'iin_invalid'
  | 'phone_invalid'
  | 'full_name_invalid'
  | 'gender_invalid'
  | 'birth_date_invalid'
  | 'admitted_at_invalid'
  | 'status_invalid'
  | 'region_missing'
  | 'district_missing'
  | 'primary_org_invalid'
  | 'csv_malformed'
  | 'region_unknown'
  | 'district_unknown'
  | 'district_not_in_region'
  | 'iin_duplicate_in_file'
  | 'phone_duplicate_in_file'
  | 'phone_taken'
  // The membership freeze (freeze-window.ts), decided by the importer:
  | 'admitted_in_freeze'
  | 'status_frozen';

export type MemberRowResult = { ok: true; row: MemberRow } | { ok: false; reason: MemberRowReason; message: string };

export interface MemberRowOptions {
  /** Kazakh mobile codes (configuration may replace the list). */
  codes?: readonly string[];
  /** YYYY-MM-DD, "today" for the no-dates-in-the-future checks. */
  today?: string;
}

const MAX_TEXT = 300;

/** A real calendar date written YYYY-MM-DD between 1900-01-01 and `today`, else null. */
export function parseIsoDate(value: string, today: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return null;
  if (value < '1900-01-01' || value > today) return null;
  return value;
}

function fail(reason: MemberRowReason, message: string): MemberRowResult {
  return { ok: false, reason, message };
}

/**
 * Validates one register row (values already trimmed by the CSV reader): IIN checksum,
 * phone normalised to E.164 with the Kazakh codes, real dates not in the future, admission
 * after birth, gender F/M, a known status. Gender and birth date are not checked against the
 * IIN's soft digits (only the checksum is a hard rule).
 */
export function parseMemberRow(raw: Readonly<Record<MemberCsvColumn, string>>, opts: MemberRowOptions = {}): MemberRowResult {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const iin = raw.iin.trim();
  if (!isValidIin(iin)) return fail('iin_invalid', 'IIN must be 12 digits with a correct check digit');
  const phone = normalizePhone(raw.phone, opts.codes ?? KZ_MOBILE_CODES);
  if (!phone) return fail('phone_invalid', 'phone is not a Kazakh mobile number');
  const fullName = raw.full_name.trim().replace(/\s+/g, ' ');
  if (!fullName) return fail('full_name_invalid', 'full_name is empty');
  if (fullName.length > MAX_TEXT) return fail('full_name_invalid', `full_name is longer than ${MAX_TEXT} characters`);
  const gender = raw.gender.trim().toUpperCase();
  if (gender !== 'F' && gender !== 'M') return fail('gender_invalid', 'gender must be F or M');
  const birthDate = parseIsoDate(raw.birth_date.trim(), today);
  if (!birthDate) return fail('birth_date_invalid', 'birth_date must be a real date YYYY-MM-DD, not in the future');
  const admittedAt = parseIsoDate(raw.admitted_at.trim(), today);
  if (!admittedAt) return fail('admitted_at_invalid', 'admitted_at must be a real date YYYY-MM-DD, not in the future');
  if (admittedAt < birthDate) return fail('admitted_at_invalid', 'admitted_at is before birth_date');
  const status = raw.status.trim().toLowerCase();
  if (!(MEMBER_STATUSES as readonly string[]).includes(status)) return fail('status_invalid', `status must be one of ${MEMBER_STATUSES.join(', ')}`);
  const region = raw.region.trim();
  if (!region) return fail('region_missing', 'region code is empty');
  const district = raw.district.trim();
  if (!district) return fail('district_missing', 'district code is empty');
  const primaryOrg = raw.primary_org.trim();
  if (!primaryOrg) return fail('primary_org_invalid', 'primary_org is empty');
  if (primaryOrg.length > MAX_TEXT) return fail('primary_org_invalid', `primary_org is longer than ${MAX_TEXT} characters`);
  return {
    ok: true,
    row: {
      iin,
      phone,
      full_name: fullName,
      gender,
      birth_date: birthDate,
      region,
      district,
      primary_org: primaryOrg,
      admitted_at: admittedAt,
      status: status as MemberRowStatus,
    },
  };
}
