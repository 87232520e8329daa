import type { Kysely, Transaction } from 'kysely';
import { parse } from 'csv-parse/sync';
import { type StationRow, type StationRowReason, STATION_CSV_COLUMNS, STATION_LIST_CSV_COLUMNS, parseStationListRow, parseStationRow } from '@primaries/domain';
import type { Database } from '../database';
import { appendAuditEvent } from './audit.repository';
import { findElectionBySlug } from './election-setup.repository';

/** A refused line of a stations or station-list CSV (the header is line 1). Never the row's data. */
export interface PaperImportReject {
  line: number;
  reason: StationRowReason;
  message: string;
}

export type PaperImportKind = 'stations' | 'list';

export interface PaperImportResult {
  kind: PaperImportKind;
  rows: number;
  /** Rows written (0 when any row was refused: all or nothing). */
  written: number;
  rejects: PaperImportReject[];
}

/** Which kind of file a header names: stations (STATION_CSV_COLUMNS) or a station list (STATION_LIST_CSV_COLUMNS); null for neither. */
export function paperCsvKind(header: readonly string[]): PaperImportKind | null {
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  if (STATION_CSV_COLUMNS.every((c) => names.has(c))) return 'stations';
  if (STATION_LIST_CSV_COLUMNS.every((c) => names.has(c))) return 'list';
  return null;
}

interface ImportInput {
  electionId: number;
  /** Data rows keyed by header name, each with its line in the file. */
  rows: ReadonlyArray<{ line: number; record: Record<string, string | undefined> }>;
  actor: { role: string; id: string };
}

/**
 * Imports polling stations (upsert by election and code), all or nothing: any refused row
 * and nothing is written. Call in a transaction; the import is audited in it.
 */
export async function importStations(trx: Transaction<Database>, input: ImportInput): Promise<PaperImportResult> {
  const regions = await trx.selectFrom('regions').select(['id', 'code']).execute();
  const districts = await trx.selectFrom('districts').select(['id', 'code', 'region_id']).execute();
  const regionId = new Map(regions.map((r) => [r.code, r.id]));
  const districtByCode = new Map(districts.map((d) => [d.code, d]));
  const rejects: PaperImportReject[] = [];
  const good: Array<StationRow & { districtId: number }> = [];
  const seen = new Set<string>();
  for (const { line, record } of input.rows) {
    const p = parseStationRow(record);
    if (!p.ok) {
      rejects.push({ line, reason: p.reason, message: p.message });
      continue;
    }
    const r = p.row;
    const region = regionId.get(r.region);
    const district = districtByCode.get(r.district);
    if (region === undefined) rejects.push({ line, reason: 'region_unknown', message: 'no region with this code' });
    else if (!district) rejects.push({ line, reason: 'district_unknown', message: 'no district with this code' });
    else if (district.region_id !== region) rejects.push({ line, reason: 'district_not_in_region', message: 'the district is not in this region' });
    else if (seen.has(r.code)) rejects.push({ line, reason: 'code_duplicate_in_file', message: 'this station code appears earlier in the file' });
    else {
      seen.add(r.code);
      good.push({ ...r, districtId: district.id });
    }
  }
  if (rejects.length || good.length === 0) return { kind: 'stations', rows: input.rows.length, written: 0, rejects };
  for (const r of good) {
    const values = { election_id: input.electionId, district_id: r.districtId, code: r.code, settlement: r.settlement, address: r.address, opens_at: r.opensAt, closes_at: r.closesAt };
    await trx
      .insertInto('polling_stations')
      .values(values)
      .onConflict((oc) => oc.columns(['election_id', 'code']).doUpdateSet({ district_id: r.districtId, settlement: r.settlement, address: r.address, opens_at: r.opensAt, closes_at: r.closesAt }))
      .execute();
  }
  await appendAuditEvent(trx, { actor: input.actor, action: 'paper.stations.imported', subject: `election:${input.electionId}`, reason: `${good.length} stations`, electionId: input.electionId });
  return { kind: 'stations', rows: input.rows.length, written: good.length, rejects };
}

/**
 * Imports a station list (which member votes at which station), upserting by member: a
 * member moved to another station is on that one's list only. All or nothing, audited.
 */
export async function importStationList(trx: Transaction<Database>, input: ImportInput): Promise<PaperImportResult> {
  const rejects: PaperImportReject[] = [];
  const parsed: Array<{ line: number; station: string; iin: string }> = [];
  const seen = new Set<string>();
  for (const { line, record } of input.rows) {
    const p = parseStationListRow(record);
    if (!p.ok) rejects.push({ line, reason: p.reason, message: p.message });
    else if (seen.has(p.row.iin)) rejects.push({ line, reason: 'iin_duplicate_in_file', message: 'this member appears earlier in the file' });
    else {
      seen.add(p.row.iin);
      parsed.push({ line, ...p.row });
    }
  }
  const stations = await trx.selectFrom('polling_stations').select(['id', 'code']).where('election_id', '=', input.electionId).execute();
  const stationId = new Map(stations.map((s) => [s.code, s.id]));
  const members = new Map<string, string>();
  for (let i = 0; i < parsed.length; i += 5000) {
    const iins = parsed.slice(i, i + 5000).map((p) => p.iin);
    for (const m of await trx.selectFrom('members').select(['id', 'iin']).where('iin', 'in', iins).execute()) members.set(m.iin, String(m.id));
  }
  const good: Array<{ memberId: string; stationId: number }> = [];
  for (const p of parsed) {
    const s = stationId.get(p.station);
    const m = members.get(p.iin);
    if (s === undefined) rejects.push({ line: p.line, reason: 'station_unknown', message: 'no station with this code in the election' });
    else if (m === undefined) rejects.push({ line: p.line, reason: 'member_unknown', message: 'no member with this IIN in the register' });
    else good.push({ memberId: m, stationId: s });
  }
  rejects.sort((a, b) => a.line - b.line);
  if (rejects.length || good.length === 0) return { kind: 'list', rows: input.rows.length, written: 0, rejects };
  for (let i = 0; i < good.length; i += 5000) {
    const chunk = good.slice(i, i + 5000).map((g) => ({ election_id: input.electionId, member_id: g.memberId, polling_station_id: g.stationId }));
    await trx
      .insertInto('paper_voters')
      .values(chunk)
      .onConflict((oc) => oc.columns(['election_id', 'member_id']).doUpdateSet((eb) => ({ polling_station_id: eb.ref('excluded.polling_station_id') })))
      .execute();
  }
  await appendAuditEvent(trx, { actor: input.actor, action: 'paper.list.imported', subject: `election:${input.electionId}`, reason: `${good.length} members`, electionId: input.electionId });
  return { kind: 'list', rows: input.rows.length, written: good.length, rejects };
}

/** The file cannot be read as either kind of paper CSV (broken CSV, or a header naming neither). */
export class PaperCsvError extends Error {
  override name = 'PaperCsvError';
}

/**
 * Imports a stations CSV or a station-list CSV (told apart by the header) into an election
 * (default: the one that opens last), in one transaction: any refused line and nothing is
 * written. The report gives line numbers and reasons, never a row's data.
 */
export async function runPaperImport(db: Kysely<Database>, text: string, actor: { role: string; id: string }, electionId?: number): Promise<PaperImportResult & { electionId: number }> {
  let records: string[][];
  try {
    // csv-parse's overloads need the assertion to pick the rows-as-arrays result; the lint rule cannot see that.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
  } catch (err) {
    throw new PaperCsvError(`not a CSV file: ${(err as Error).message.split('\n')[0]}`);
  }
  const header = records[0];
  const kind = header ? paperCsvKind(header) : null;
  if (!header || !kind) throw new PaperCsvError(`the header must name either ${STATION_CSV_COLUMNS.join(',')} or ${STATION_LIST_CSV_COLUMNS.join(',')}`);
  const names = header.map((h) => h.trim().toLowerCase());
  const rows = records.slice(1).map((cells, i) => ({ line: i + 2, record: Object.fromEntries(names.map((n, j) => [n, cells[j]])) }));
  const election = electionId !== undefined ? { id: electionId } : await findElectionBySlug(db);
  if (!election) throw new PaperCsvError('no election is set up');
  const input = { electionId: election.id, rows, actor };
  // Each importer writes nothing (not even its audit event) when any line is refused.
  const result = await db.transaction().execute((trx) => (kind === 'stations' ? importStations(trx, input) : importStationList(trx, input)));
  return { ...result, electionId: election.id };
}
