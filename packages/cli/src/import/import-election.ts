import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { SetupKind } from '@primaries/domain';
import { type SetupCounts, createDb, findElectionBySlug } from '@primaries/db';
import { type SetupReject, SetupFileError, SetupRefusedError, importElectionSetup } from '@primaries/election-setup';
import { readSetupFiles, resolveSetupFiles } from './setup-files';

export { SetupRefusedError };

export interface ElectionImportOptions {
  databaseUrl: string;
  /** The election's slug (default: the election that opens last). */
  election?: string;
  /** A directory holding the setup CSVs, or the files themselves. */
  inputs: string[];
  /** Where every rejected line is listed (default `election-import.report.csv` beside the first input). */
  reportPath?: string;
  /** Validate and apply inside the transaction, then roll back: a preview of the counts. */
  dryRun?: boolean;
  /** YYYY-MM-DD for the "not in the future" birth-date check (default today, UTC). */
  today?: string;
}

export interface ElectionImportSummary {
  electionId: number;
  files: Partial<Record<SetupKind, string>>;
  /** Data rows read per file. */
  rows: Partial<Record<SetupKind, number>>;
  /** True when every row was good and the setup was written (false on rejects or a dry run). */
  applied: boolean;
  dryRun: boolean;
  /** What was (or, on a dry run, would have been) written; null when rows were refused. */
  counts: SetupCounts | null;
  rejects: SetupReject[];
  reportPath: string;
}

/**
 * `election import`: reads the setup files and runs the shared import
 * (@primaries/election-setup, the console's too) as `operator:cli`, then writes every
 * refused line to the report CSV.
 */
export async function importElection(opts: ElectionImportOptions): Promise<ElectionImportSummary> {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const files = await resolveSetupFiles(opts.inputs);
  const contents = await readSetupFiles(files);
  const first = path.resolve(opts.inputs[0]!);
  const reportPath = path.resolve(opts.reportPath ?? path.join((await isDir(first)) ? first : path.dirname(first), 'election-import.report.csv'));

  const db = createDb({ url: opts.databaseUrl, poolMax: 2, applicationName: 'primaries-election-import' });
  try {
    const election = await findElectionBySlug(db, opts.election);
    if (!election) throw new SetupFileError(opts.election ? `no election with slug ${opts.election}` : 'no election: create one first');
    const report = await importElectionSetup(db, { election, files: contents, actor: { role: 'operator', id: 'cli' }, dryRun: !!opts.dryRun, today });
    await writeFile(reportPath, stringify(report.rejects.map((r) => [r.file, r.line, r.reason, r.message]), { header: true, columns: ['file', 'line', 'reason', 'message'] }));
    return { ...report, files: Object.fromEntries(files), reportPath };
  } finally {
    await db.destroy();
  }
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}
