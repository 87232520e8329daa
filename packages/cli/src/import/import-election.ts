import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { SETUP_KINDS, type SetupKind } from '@primaries/domain';
import { type SetupCounts, appendAuditEvent, createDb, findElectionBySlug, applyElectionSetup, loadSetupPlaces, lockElectionForSetup } from '@primaries/db';
import { type SetupLine, type SetupReject, SetupFileError, readSetupFile, resolveSetupFiles } from './setup-files';
import { validateSetup } from './validate-setup';


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

/** The election's window has opened: its setup can no longer be changed. Nothing was written. */
export class SetupRefusedError extends Error {
  override name = 'SetupRefusedError';
}

class Rollback extends Error {}

/**
 * `election import`: reads the setup files, checks every row (domain row rules, then codes
 * against the file and the database), and — only when no row is refused — writes regions,
 * districts, contests and candidates with an `election.imported` audit event, all in one
 * transaction that holds the election's row locked and refuses once the window has opened.
 */
export async function importElection(opts: ElectionImportOptions): Promise<ElectionImportSummary> {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const files = await resolveSetupFiles(opts.inputs);
  const read = new Map<SetupKind, SetupLine[]>();
  const rejects: SetupReject[] = [];
  for (const [kind, file] of files) {
    const r = await readSetupFile(kind, file);
    read.set(kind, r.lines);
    rejects.push(...r.rejects);
  }
  const first = path.resolve(opts.inputs[0]!);
  const reportPath = path.resolve(opts.reportPath ?? path.join((await isDir(first)) ? first : path.dirname(first), 'election-import.report.csv'));

  const db = createDb({ url: opts.databaseUrl, poolMax: 2, applicationName: 'primaries-election-import' });
  try {
    const election = await findElectionBySlug(db, opts.election);
    if (!election) throw new SetupFileError(opts.election ? `no election with slug ${opts.election}` : 'no election: create one first');
    let counts: SetupCounts | null = null;
    try {
      await db.transaction().execute(async (trx) => {
        if ((await lockElectionForSetup(trx, election.id)).opened) {
          throw new SetupRefusedError(`election ${election.slug} has opened: its setup can only be changed before the window opens`);
        }
        const places = await loadSetupPlaces(trx, election.id);
        const checked = validateSetup(files, read, places, today);
        rejects.push(...checked.rejects);
        if (rejects.length) throw new Rollback();
        counts = await applyElectionSetup(trx, election.id, checked.data);
        const c = counts;
        await appendAuditEvent(trx, {
          actor: { role: 'operator', id: 'cli' },
          action: 'election.imported',
          subject: `election:${election.id}`,
          reason: `regions ${c.regions.inserted}+${c.regions.updated}, districts ${c.districts.inserted}+${c.districts.updated}, contests ${c.contests.inserted}+${c.contests.updated}, candidates ${c.candidates.inserted}+${c.candidates.updated}-${c.candidates.deleted} (new+updated-deleted)`,
          electionId: election.id,
        });
        if (opts.dryRun) throw new Rollback();
      });
    } catch (err) {
      if (!(err instanceof Rollback)) throw err;
      if (rejects.length) counts = null;
    }
    const order = (f: string) => SETUP_KINDS.findIndex((k) => path.basename(files.get(k) ?? '') === f);
    rejects.sort((a, b) => order(a.file) - order(b.file) || a.line - b.line);
    await writeFile(reportPath, stringify(rejects.map((r) => [r.file, r.line, r.reason, r.message]), { header: true, columns: ['file', 'line', 'reason', 'message'] }));
    return {
      electionId: election.id,
      files: Object.fromEntries(files),
      rows: Object.fromEntries([...read].map(([k, v]) => [k, v.length + rejects.filter((r) => r.reason === 'csv_malformed' && r.file === path.basename(files.get(k)!)).length])),
      applied: counts !== null && rejects.length === 0 && !opts.dryRun,
      dryRun: !!opts.dryRun,
      counts,
      rejects,
      reportPath,
    };
  } finally {
    await db.destroy();
  }
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}
