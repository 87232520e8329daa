import type { Command } from 'commander';
import { databaseUrl } from '../env';
import { type ImportSummary, importMembers } from '../import/import-members';
import { mobileCodesFromEnv } from '@primaries/config';

const SAMPLE = 10;

function printSummary(file: string, s: ImportSummary): void {
  const lines = [
    `members import ${file}: ${s.rows} rows read in ${(s.ms / 1000).toFixed(1)} s${s.dryRun ? ' (dry run: nothing written)' : ''}`,
    `  inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected}`,
  ];
  for (const [reason, n] of Object.entries(s.byReason).sort((a, b) => b[1] - a[1])) lines.push(`    ${reason}: ${n}`);
  // Line numbers and reasons only: the report file, not the terminal, holds the rows' data.
  for (const r of s.rejects.slice(0, SAMPLE)) lines.push(`  line ${r.line}: ${r.reason} — ${r.message}`);
  if (s.rejects.length > SAMPLE) lines.push(`  … ${s.rejects.length - SAMPLE} more`);
  lines.push(`  report: ${s.reportPath}`);
  console.log(lines.join('\n'));
}

/** `pnpm primaries members import <file.csv>` (docs/register.md). */
export function registerMembersCommands(program: Command): void {
  const members = program.command('members').description('The party register');
  members
    .command('import')
    .description('Validate a register CSV and upsert its good rows by IIN in one transaction; bad rows go to a report')
    .argument('<file.csv>', 'CSV with a header row: iin,phone,full_name,gender,birth_date,region,district,primary_org,admitted_at,status')
    .option('--report <path>', 'where to write the rejected rows (default <file>.report.csv)')
    .option('--dry-run', 'validate and report, write nothing to the register', false)
    .option('--quiet', 'no progress bar', false)
    .action(async (file: string, o: { report?: string; dryRun: boolean; quiet: boolean }) => {
      const summary = await importMembers({ databaseUrl: databaseUrl(), codes: mobileCodesFromEnv(), file, reportPath: o.report, dryRun: o.dryRun, progress: !o.quiet });
      printSummary(file, summary);
      // 2: imported, but some rows were refused (scripts can tell a clean import apart).
      if (summary.rejected > 0) process.exitCode = 2;
    });
}
