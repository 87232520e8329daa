import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import pg from 'pg';
import { KZ_MOBILE_CODES, MEMBER_CSV_COLUMNS, type MemberCsvColumn, type MemberRowReason, freezeWindowHolding, freezeWindowOf, parseMemberRow } from '@primaries/domain';
import { abortCopy, copyCsvInto, endStream, writeChunk } from './copy';

export interface ImportOptions {
  databaseUrl: string;
  /** The register CSV (header row; columns MEMBER_CSV_COLUMNS in any order). */
  file: string;
  /** Where the rejected rows are listed (default `<file>.report.csv`). */
  reportPath?: string;
  /** Show a progress bar (only ever on a TTY). */
  progress?: boolean;
  /** Validate and report, then roll back: nothing is written to the register. */
  dryRun?: boolean;
  /** Kazakh mobile codes (default KZ_MOBILE_CODES). */
  codes?: readonly string[];
  /** YYYY-MM-DD for the "not in the future" date checks (default today, UTC). */
  today?: string;
}

interface ImportReject {
  /** Line in the file (the header is line 1). */
  line: number;
  reason: MemberRowReason;
  message: string;
}

export interface ImportSummary {
  /** Data rows read (the header excluded). */
  rows: number;
  inserted: number;
  updated: number;
  /** Good rows identical to the register already. */
  unchanged: number;
  rejected: number;
  byReason: Partial<Record<MemberRowReason, number>>;
  rejects: ImportReject[];
  reportPath: string;
  dryRun: boolean;
  ms: number;
}

/** The file itself cannot be imported (unreadable, no header, missing columns, broken CSV). Nothing was written. */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
}

const BATCH = 5_000;

function progressBar(enabled: boolean, total: number): SingleBar | null {
  if (!enabled || !process.stderr.isTTY) return null;
  const bar = new SingleBar(
    { format: 'import {stage} [{bar}] {percentage}% | {rows} rows', stream: process.stderr, hideCursor: true, fps: 5 },
    Presets.shades_classic,
  );
  bar.start(total, 0, { stage: 'reading', rows: 0 });
  return bar;
}

/** A code as the report may repeat it: short codes only, so a shifted column never puts an IIN or phone in the report. */
function shown(code: string): string {
  return /^[\p{L}\d-]{1,10}$/u.test(code) ? code : '(not shown)';
}

/** Maps header names to their column index; throws when a required column is missing. */
function headerIndex(header: string[]): Record<MemberCsvColumn, number> {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = MEMBER_CSV_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length) throw new ImportFileError(`the header lacks column(s): ${missing.join(', ')} (expected ${MEMBER_CSV_COLUMNS.join(',')})`);
  return Object.fromEntries(MEMBER_CSV_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<MemberCsvColumn, number>;
}

/**
 * Imports a register CSV: each row is validated (domain parseMemberRow, then region and
 * district codes), good rows are staged with COPY into a temporary table, rows that clash
 * with the register or the rest of the file are refused in SQL, and the rest are upserted by
 * IIN — all in one transaction, so a failure leaves the register as it was.
 */
export async function importMembers(opts: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const file = path.resolve(opts.file);
  const reportPath = path.resolve(opts.reportPath ?? `${file}.report.csv`);
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const codes = opts.codes ?? KZ_MOBILE_CODES;
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    throw new ImportFileError(`cannot read ${file}: ${(err as Error).message}`);
  }

  const client = new pg.Client({ connectionString: opts.databaseUrl, application_name: 'primaries-import' });
  // A broken connection surfaces as the failing query's error; without a listener it would crash the process.
  client.on('error', () => {});
  await client.connect();
  let copy: Writable | null = null;
  const bar = progressBar(opts.progress ?? false, size);
  const rejects: ImportReject[] = [];
  let rows = 0;
  try {
    const regions = await client.query<{ id: number; code: string }>('select id, code from regions');
    const districts = await client.query<{ id: number; code: string; region_id: number }>('select id, code, region_id from districts');
    const regionId = new Map(regions.rows.map((r) => [r.code, r.id]));
    const districtByCode = new Map(districts.rows.map((d) => [d.code, d]));
    // The membership freeze of every election (docs/register.md#the-membership-freeze).
    const elections = await client.query<{ freeze_date: string; freeze_end: string | null; closes_at: Date }>('select freeze_date::text, freeze_end::text, closes_at from elections');
    const windows = elections.rows.map(freezeWindowOf);
    const frozenToday = freezeWindowHolding(today, windows);

    await client.query('begin');
    await client.query(`
      create temp table import_rows (
        line int not null, iin char(12) not null, phone text not null, full_name text not null, gender char(1) not null,
        birth_date date not null, region_id int not null, district_id int not null, primary_org text not null,
        admitted_at date not null, status text not null
      ) on commit drop`);
    await client.query('create temp table import_rejects (line int primary key, reason text not null, message text not null) on commit drop');

    copy = copyCsvInto(client, 'import_rows');
    const parser = createReadStream(file).pipe(
      parse({
        bom: true,
        skip_empty_lines: true,
        relax_column_count: true,
        // A stray quote inside an unquoted field (ППО "Нур Отан") is kept as text, not an error.
        relax_quotes: true,
        info: true,
      }),
    );
    let columns: Record<MemberCsvColumn, number> | null = null;
    let width = 0;
    let batch: unknown[][] = [];
    const raw = {} as Record<MemberCsvColumn, string>;
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
      if (!columns) {
        columns = headerIndex(record);
        width = record.length;
        continue;
      }
      rows++;
      // info.lines is where the record ends; a quoted field may span lines, so count back to its start.
      let line = info.lines;
      for (const f of record) if (f.includes('\n')) line -= f.split('\n').length - 1;
      if (record.length !== width) {
        rejects.push({ line, reason: 'csv_malformed', message: `expected ${width} fields, found ${record.length}` });
        continue;
      }
      for (const c of MEMBER_CSV_COLUMNS) raw[c] = record[columns[c]]!;
      const parsed = parseMemberRow(raw, { codes, today });
      if (!parsed.ok) {
        rejects.push({ line, reason: parsed.reason, message: parsed.message });
        continue;
      }
      const m = parsed.row;
      const region = regionId.get(m.region);
      if (region === undefined) {
        rejects.push({ line, reason: 'region_unknown', message: `no region with code ${shown(m.region)}` });
        continue;
      }
      const district = districtByCode.get(m.district);
      if (!district) {
        rejects.push({ line, reason: 'district_unknown', message: `no district with code ${shown(m.district)}` });
        continue;
      }
      if (district.region_id !== region) {
        rejects.push({ line, reason: 'district_not_in_region', message: `district ${shown(m.district)} is not in region ${shown(m.region)}` });
        continue;
      }
      const frozen = freezeWindowHolding(m.admitted_at, windows);
      if (frozen) {
        rejects.push({ line, reason: 'admitted_in_freeze', message: `admitted_at falls in the membership freeze (${frozen.start} to ${frozen.end}): no admissions then` });
        continue;
      }
      batch.push([line, m.iin, m.phone, m.full_name, m.gender, m.birth_date, region, district.id, m.primary_org, m.admitted_at, m.status]);
      if (batch.length >= BATCH) {
        await writeChunk(copy, stringify(batch));
        batch = [];
        bar?.update(info.bytes, { rows });
      }
    }
    if (!columns) throw new ImportFileError(`${file} has no header row`);
    if (batch.length) await writeChunk(copy, stringify(batch));
    await endStream(copy);
    copy = null;
    bar?.update(size, { stage: 'applying', rows });

    // One import at a time; readers (the vote service) are not blocked.
    await client.query('lock table members in share row exclusive mode');
    await client.query('analyze import_rows');
    // The first row for an IIN is the one considered; later rows for it are refused.
    await client.query(`
      insert into import_rejects (line, reason, message)
      select line, 'iin_duplicate_in_file', 'IIN already given on line ' || first_line
      from (select line, min(line) over (partition by iin) as first_line from import_rows) d
      where line <> first_line`);
    // One phone number belongs to one member: a number the register gives someone else is refused.
    await client.query(`
      insert into import_rejects (line, reason, message)
      select r.line, 'phone_taken', 'phone belongs to another member of the register'
      from import_rows r join members m on m.phone = r.phone and m.iin <> r.iin
      on conflict (line) do nothing`);
    await client.query(`
      insert into import_rejects (line, reason, message)
      select line, 'phone_duplicate_in_file', 'phone already given on line ' || first_line
      from (
        select r.line, min(r.line) over (partition by r.phone) as first_line
        from import_rows r where not exists (select 1 from import_rejects j where j.line = r.line)
      ) d
      where line <> first_line`);
    // While a freeze runs, a member's status changes only by the control committee's decision
    // (the console), never through an import.
    if (frozenToday) {
      await client.query(
        `insert into import_rejects (line, reason, message)
         select r.line, 'status_frozen', $1 from import_rows r join members m on m.iin = r.iin and m.status <> r.status
         on conflict (line) do nothing`,
        [`the membership freeze runs (${frozenToday.start} to ${frozenToday.end}): a status changes only by the control committee`],
      );
    }
    // Existing members first (by IIN, only when something differs), then the new ones in IIN
    // order so the unique index fills sequentially. Plain UPDATE + INSERT rather than
    // INSERT … ON CONFLICT: the table lock rules out races, and speculative insertion costs more.
    const updated = await client.query(`
      update members m set
        phone = g.phone, full_name = g.full_name, gender = g.gender, birth_date = g.birth_date,
        region_id = g.region_id, district_id = g.district_id, primary_org = g.primary_org,
        admitted_at = g.admitted_at, status = g.status,
        -- a reason recorded for the old status does not explain the new one
        status_reason = case when m.status = g.status then m.status_reason end,
        updated_at = now()
      from import_rows g
      where g.iin = m.iin
        and not exists (select 1 from import_rejects j where j.line = g.line)
        and (m.phone, m.full_name, m.gender, m.birth_date, m.region_id, m.district_id, m.primary_org, m.admitted_at, m.status)
          is distinct from
            (g.phone, g.full_name, g.gender, g.birth_date, g.region_id, g.district_id, g.primary_org, g.admitted_at, g.status)`);
    const inserted = await client.query(`
      insert into members (iin, phone, full_name, gender, birth_date, region_id, district_id, primary_org, admitted_at, status)
      select g.iin, g.phone, g.full_name, g.gender, g.birth_date, g.region_id, g.district_id, g.primary_org, g.admitted_at, g.status
      from import_rows g
      where not exists (select 1 from import_rejects j where j.line = g.line)
        and not exists (select 1 from members m where m.iin = g.iin)
      order by g.iin`);
    const good = await client.query<{ n: number }>(
      'select count(*)::int as n from import_rows g where not exists (select 1 from import_rejects j where j.line = g.line)',
    );
    const sqlRejects = await client.query<{ line: number; reason: MemberRowReason; message: string }>('select line, reason, message from import_rejects');
    rejects.push(...sqlRejects.rows);
    await client.query(opts.dryRun ? 'rollback' : 'commit');
    bar?.stop();

    rejects.sort((a, b) => a.line - b.line);
    await writeFile(reportPath, stringify(rejects.map((r) => [r.line, r.reason, r.message]), { header: true, columns: ['line', 'reason', 'message'] }));
    const byReason: Partial<Record<MemberRowReason, number>> = {};
    for (const r of rejects) byReason[r.reason] = (byReason[r.reason] ?? 0) + 1;
    return {
      rows,
      inserted: inserted.rowCount ?? 0,
      updated: updated.rowCount ?? 0,
      unchanged: good.rows[0]!.n - (inserted.rowCount ?? 0) - (updated.rowCount ?? 0),
      rejected: rejects.length,
      byReason,
      rejects,
      reportPath,
      dryRun: !!opts.dryRun,
      ms: Date.now() - started,
    };
  } catch (err) {
    // A COPY still open must be failed first (CopyFail), or the connection stays in copy mode.
    if (copy) await abortCopy(copy);
    await client.query('rollback').catch(() => {});
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('CSV_')) {
      // The parser's own message can quote the row's data (an IIN); keep only the kind and the line.
      const at = 'lines' in err && typeof err.lines === 'number' ? ` at line ${err.lines}` : '';
      throw new ImportFileError(`${file} is not valid CSV (${err.code}${at}); nothing was imported`);
    }
    throw err;
  } finally {
    bar?.stop();
    await client.end();
  }
}
