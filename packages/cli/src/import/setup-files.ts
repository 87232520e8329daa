import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ELECTION_SETUP_COLUMNS, SETUP_KINDS, type SetupKind, type SetupRowReason } from '@primaries/domain';

/** A file cannot be imported at all (unreadable, unknown name, no header, missing columns, broken CSV). Nothing was written. */
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

/**
 * The setup files to read: a directory's `regions.csv`, `districts.csv`, `contests.csv`,
 * `candidates.csv` (those present), or files named so. Any other name is refused.
 */
export async function resolveSetupFiles(inputs: readonly string[]): Promise<Map<SetupKind, string>> {
  const files = new Map<SetupKind, string>();
  const add = (kind: SetupKind, file: string) => {
    if (files.has(kind)) throw new SetupFileError(`two ${kind} files given: ${files.get(kind)} and ${file}`);
    files.set(kind, file);
  };
  for (const input of inputs) {
    const p = path.resolve(input);
    const s = await stat(p).catch(() => null);
    if (!s) throw new SetupFileError(`cannot read ${p}`);
    if (s.isDirectory()) {
      const names = await readdir(p);
      for (const kind of SETUP_KINDS) if (names.includes(`${kind}.csv`)) add(kind, path.join(p, `${kind}.csv`));
      continue;
    }
    const kind = path.basename(p).replace(/\.csv$/i, '').toLowerCase() as SetupKind;
    if (!SETUP_KINDS.includes(kind)) throw new SetupFileError(`${p}: a setup file is named ${SETUP_KINDS.map((k) => `${k}.csv`).join(', ')}`);
    add(kind, p);
  }
  if (files.size === 0) throw new SetupFileError(`no setup files found (${SETUP_KINDS.map((k) => `${k}.csv`).join(', ')})`);
  return files;
}

/**
 * Reads one setup file: the header must name the kind's required columns (any order; unknown
 * columns are refused so a misspelt optional one is not silently ignored). A row with the
 * wrong number of fields is a reject, not a file error.
 */
export async function readSetupFile(kind: SetupKind, file: string): Promise<{ lines: SetupLine[]; rejects: SetupReject[] }> {
  const name = path.basename(file);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(await readFile(file), { bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, info: true }) as unknown as typeof records;
  } catch (err) {
    const e = err as { code?: string; lines?: number; message: string };
    if (e.code?.startsWith('CSV_')) throw new SetupFileError(`${name} is not valid CSV (${e.code}${e.lines ? ` at line ${e.lines}` : ''})`);
    throw new SetupFileError(`cannot read ${file}: ${e.message}`);
  }
  const [head, ...rest] = records;
  if (!head) throw new SetupFileError(`${name} has no header row`);
  const header = head.record.map((h) => h.trim().toLowerCase());
  const { required, optional } = ELECTION_SETUP_COLUMNS[kind];
  const known: readonly string[] = [...required, ...optional];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new SetupFileError(`${name}: the header lacks column(s) ${missing.join(', ')} (columns: ${known.join(',')})`);
  const unknown = header.filter((h) => !known.includes(h));
  if (unknown.length) throw new SetupFileError(`${name}: unknown column(s) ${unknown.join(', ')} (columns: ${known.join(',')})`);
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
  return { lines, rejects };
}
