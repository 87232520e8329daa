import { parse } from 'csv-parse/sync';
import { ELECTION_SETUP_COLUMNS, SETUP_KINDS, type SetupKind, type SetupRowReason } from '@primaries/domain';

/** A file cannot be imported at all (unknown name, no header, missing columns, broken CSV). Nothing was written. */
export class SetupFileError extends Error {
  override name = 'SetupFileError';
}

export interface SetupLine {
  line: number;
  raw: Record<string, string>;
}

export interface SetupReject {
  /** The file's name (`candidates.csv`). */
  file: string;
  /** Line in the file (the header is line 1). */
  line: number;
  reason: SetupRowReason;
  message: string;
}

/** One setup file's content, named by its kind (`candidates.csv`). */
export interface SetupFile {
  kind: SetupKind;
  /** The name reported with each refused line. */
  name: string;
  content: string | Buffer;
}

/** The kind a setup file's name says (`candidates.csv` → candidates); null for any other name. */
export function setupKindOf(fileName: string): SetupKind | null {
  const kind = fileName.replace(/\.csv$/i, '').toLowerCase() as SetupKind;
  return SETUP_KINDS.includes(kind) ? kind : null;
}

/**
 * Reads one setup file: the header must name the kind's required columns (any order; unknown
 * columns are refused so a misspelt optional one is not silently ignored). A row with the
 * wrong number of fields is a reject, not a file error.
 */
export function parseSetupCsv(file: SetupFile): { lines: SetupLine[]; rejects: SetupReject[]; rows: number } {
  const { kind, name } = file;
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(file.content, { bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true }) as unknown as typeof records;
  } catch (err) {
    // The parser's own message can quote the row's data (an IIN): keep only the kind and the line.
    const e = err as { code?: string; lines?: number; message: string };
    throw new SetupFileError(`${name} is not valid CSV (${e.code ?? 'unreadable'}${e.lines ? ` at line ${e.lines}` : ''})`);
  }
  const [head, ...rest] = records;
  if (!head) throw new SetupFileError(`${name} has no header row`);
  const header = head.record.map((h) => h.trim().toLowerCase());
  const { required, optional } = ELECTION_SETUP_COLUMNS[kind];
  const known: readonly string[] = [...required, ...optional];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new SetupFileError(`${name}: the header lacks column(s) ${missing.join(', ')} (columns: ${known.join(',')})`);
  const unknown = header.filter((h) => !known.includes(h));
  if (unknown.length) throw new SetupFileError(`${name}: unknown column(s) ${unknown.map((u) => (/^[a-z_]{1,40}$/.test(u) ? u : '(not shown)')).join(', ')} (columns: ${known.join(',')})`);
  const lines: SetupLine[] = [];
  const rejects: SetupReject[] = [];
  for (const { record, info } of rest) {
    // info.lines is where the record ends; a quoted field may span lines, so count back to its start.
    let line = info.lines;
    for (const f of record) if (f.includes('\n')) line -= f.split('\n').length - 1;
    if (record.length !== header.length) {
      rejects.push({ file: name, line, reason: 'csv_malformed', message: `expected ${header.length} fields, found ${record.length}` });
      continue;
    }
    lines.push({ line, raw: Object.fromEntries(header.map((h, i) => [h, record[i]!])) });
  }
  return { lines, rejects, rows: rest.length };
}
