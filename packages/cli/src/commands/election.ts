import type { Command } from 'commander';
import { type PreOpenProblem, preOpenProblems } from '@primaries/domain';
import { createDb, findElectionBySlug, preOpenData } from '@primaries/db';
import { deploymentFromEnv } from '@primaries/election-setup';
import { databaseUrl } from '../env';
import { type ElectionImportSummary, importElection } from '../import/import-election';

const SHOWN = 50;

/** The terminal's summary of an import: counts, then every refused line (up to SHOWN; the report file has them all). */
export function importLines(s: ElectionImportSummary): string[] {
  const rows = Object.entries(s.rows).map(([k, n]) => `${k} ${n}`).join(', ');
  const lines = [`election import (election ${s.electionId}): rows read: ${rows}`];
  if (s.rejects.length) {
    lines.push(`  REFUSED: ${s.rejects.length} bad line(s); nothing was written`);
    for (const r of s.rejects.slice(0, SHOWN)) lines.push(`  ${r.file} line ${r.line}: ${r.reason} — ${r.message}`);
    if (s.rejects.length > SHOWN) lines.push(`  … ${s.rejects.length - SHOWN} more`);
  } else if (s.counts) {
    const c = s.counts;
    const n = (x: { inserted: number; updated: number; deleted?: number }) => `${x.inserted} new, ${x.updated} updated${x.deleted !== undefined ? `, ${x.deleted} deleted` : ''}`;
    lines.push(s.dryRun ? '  dry run: checked and rolled back, nothing written; it would write:' : '  imported:');
    lines.push(`    regions ${n(c.regions)}; districts ${n(c.districts)}; contests ${n(c.contests)}; candidates ${n(c.candidates)}`);
  }
  lines.push(`  report: ${s.reportPath}`);
  return lines;
}

export { deploymentFromEnv };

/** `election check`: every problem that would make the election unfit to open. */
export async function electionCheck(opts: { election?: string }, env: Record<string, string | undefined> = process.env): Promise<{ slug: string; problems: PreOpenProblem[] }> {
  const db = createDb({ url: env.DATABASE_URL || databaseUrl(), poolMax: 2, applicationName: 'primaries-election-check' });
  try {
    const election = await findElectionBySlug(db, opts.election);
    if (!election) throw new Error(opts.election ? `no election with slug ${opts.election}` : 'no election: create one first');
    const data = await preOpenData(db, election.id);
    return { slug: election.slug, problems: preOpenProblems({ ...data, deployment: deploymentFromEnv(env), now: new Date() }) };
  } finally {
    await db.destroy();
  }
}

/** `primaries election import|check` (docs/election-setup.md). */
export function registerElectionCommands(program: Command): void {
  const election = program.command('election').description("An election's setup: contests and candidates");
  election
    .command('import')
    .description('Check regions/districts/contests/candidates CSVs and, only when every line is good, write them in one transaction (before the window opens)')
    .argument('<dir-or-files...>', 'a directory with regions.csv, districts.csv, contests.csv, candidates.csv (those present), or those files')
    .option('--election <slug>', 'the election (default: the one that opens last)')
    .option('--report <path>', 'where to write every refused line (default election-import.report.csv beside the input)')
    .option('--dry-run', 'check everything and show what would be written, write nothing', false)
    .action(async (inputs: string[], o: { election?: string; report?: string; dryRun: boolean }) => {
      const summary = await importElection({ databaseUrl: databaseUrl(), election: o.election, inputs, reportPath: o.report, dryRun: o.dryRun });
      console.log(importLines(summary).join('\n'));
      if (summary.rejects.length) process.exitCode = 1;
    });
  election
    .command('check')
    .description('List every problem that would make the election unfit to open (exit 1 when any)')
    .option('--election <slug>', 'the election (default: the one that opens last)')
    .action(async (o: { election?: string }) => {
      const { slug, problems } = await electionCheck(o);
      if (!problems.length) console.log(`election ${slug}: ready to open, no problems found`);
      else {
        console.log(`election ${slug}: ${problems.length} problem(s)`);
        for (const p of problems) console.log(`  ${p.code}: ${p.message}`);
        process.exitCode = 1;
      }
    });
}
