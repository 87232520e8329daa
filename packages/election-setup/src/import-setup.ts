import type { Kysely } from 'kysely';
import { SETUP_KINDS, type SetupKind, electionPhase, electionTimes } from '@primaries/domain';
import { type Database, type SetupCounts, appendAuditEvent, applyElectionSetup, loadSetupPlaces, lockElectionForSetup } from '@primaries/db';
import { type SetupFile, type SetupLine, type SetupReject, SetupFileError, parseSetupCsv } from './setup-csv';
import { validateSetup } from './validate-setup';

/** The election's window has opened: its setup can no longer be changed. Nothing was written. */
export class SetupRefusedError extends Error {
  override name = 'SetupRefusedError';
}

/**
 * Whether an election's setup may still change: only before its window opens — while a
 * draft (which never opens by itself) or scheduled (docs/lifecycle.md).
 */
export function setupEditable(row: Parameters<typeof electionTimes>[0], now: Date): boolean {
  const phase = electionPhase(electionTimes(row), now);
  return phase === 'draft' || phase === 'scheduled';
}

export interface SetupImportInput {
  election: { id: number; slug: string };
  files: readonly SetupFile[];
  /** Who imports: `operator:cli`, or the staff account in the console. */
  actor: { role: string; id: string };
  /** Validate and apply inside the transaction, then roll back: the preview. */
  dryRun: boolean;
  /** YYYY-MM-DD for the "not in the future" birth-date check. */
  today: string;
}

export interface SetupImportReport {
  electionId: number;
  /** Data rows read per kind (malformed lines included). */
  rows: Partial<Record<SetupKind, number>>;
  /** True when every row was good and the setup was written (false on rejects or a dry run). */
  applied: boolean;
  dryRun: boolean;
  /** What was (or, on a dry run, would have been) written; null when rows were refused. */
  counts: SetupCounts | null;
  /** Every refused line, by file (regions, districts, contests, candidates), then line. */
  rejects: SetupReject[];
}

class Rollback extends Error {}

/** The counts as the audit event's reason. */
export function countsReason(c: SetupCounts): string {
  return `regions ${c.regions.inserted}+${c.regions.updated}, districts ${c.districts.inserted}+${c.districts.updated}, contests ${c.contests.inserted}+${c.contests.updated}, candidates ${c.candidates.inserted}+${c.candidates.updated}-${c.candidates.deleted} (new+updated-deleted)`;
}

function readFiles(files: readonly SetupFile[]) {
  const names = new Map<SetupKind, string>();
  const read = new Map<SetupKind, SetupLine[]>();
  const rows: Partial<Record<SetupKind, number>> = {};
  const rejects: SetupReject[] = [];
  for (const f of files) {
    if (names.has(f.kind)) throw new SetupFileError(`two ${f.kind} files given: ${names.get(f.kind)} and ${f.name}`);
    const r = parseSetupCsv(f);
    names.set(f.kind, f.name);
    read.set(f.kind, r.lines);
    rows[f.kind] = r.rows;
    rejects.push(...r.rejects);
  }
  if (names.size === 0) throw new SetupFileError(`no setup files given (${SETUP_KINDS.map((k) => `${k}.csv`).join(', ')})`);
  return { names, read, rows, rejects };
}

/**
 * The election import (docs/election-setup.md), shared by `pnpm primaries election import`
 * and the console: every row is checked (domain row rules, then codes against the files and
 * the database), and only when none is refused are regions, districts, contests and
 * candidates written with an `election.imported` audit event — one transaction holding the
 * election's row locked, refused once the window has opened.
 */
export async function importElectionSetup(db: Kysely<Database>, input: SetupImportInput): Promise<SetupImportReport> {
  const { election } = input;
  const { names, read, rows, rejects } = readFiles(input.files);
  let counts: SetupCounts | null = null;
  try {
    await db.transaction().execute(async (trx) => {
      const locked = await lockElectionForSetup(trx, election.id);
      if (!setupEditable(locked, locked.now)) {
        throw new SetupRefusedError(`election ${election.slug} has opened: its setup can only be changed before the window opens`);
      }
      const places = await loadSetupPlaces(trx, election.id);
      const checked = validateSetup(names, read, places, input.today);
      rejects.push(...checked.rejects);
      if (rejects.length) throw new Rollback();
      const written = await applyElectionSetup(trx, election.id, checked.data);
      counts = written;
      await appendAuditEvent(trx, { actor: input.actor, action: 'election.imported', subject: `election:${election.id}`, reason: countsReason(written), electionId: election.id });
      if (input.dryRun) throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback)) throw err;
    if (rejects.length) counts = null;
  }
  const order = (file: string) => SETUP_KINDS.findIndex((k) => names.get(k) === file);
  rejects.sort((a, b) => order(a.file) - order(b.file) || a.line - b.line);
  return { electionId: election.id, rows, applied: counts !== null && rejects.length === 0 && !input.dryRun, dryRun: input.dryRun, counts, rejects };
}
