import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type PaperImportResult, createDb, runPaperImport } from '@primaries/db';
import { databaseUrl } from '../env';

const SAMPLE = 20;

/** `primaries stations import <file.csv>`: the import itself, for the command and its test. */
export async function stationsImport(file: string, env: Record<string, string | undefined> = process.env): Promise<PaperImportResult & { electionId: number }> {
  const text = await readFile(file, 'utf8');
  const db = createDb({ url: env.DATABASE_URL || databaseUrl(), poolMax: 2, applicationName: 'primaries-stations-import' });
  try {
    return await runPaperImport(db, text, { role: 'operator', id: 'cli' });
  } finally {
    await db.destroy();
  }
}

/** The report: counts, then refused lines by number and reason (never a row's data). */
export function stationsReport(file: string, r: PaperImportResult & { electionId: number }): string {
  const what = r.kind === 'stations' ? 'polling stations' : 'station-list members';
  const lines = [`stations import ${file}: ${r.rows} rows of ${what} for election ${r.electionId}`];
  if (r.rejects.length) {
    lines.push(`  nothing imported: ${r.rejects.length} line(s) refused`);
    for (const x of r.rejects.slice(0, SAMPLE)) lines.push(`  line ${x.line}: ${x.reason} — ${x.message}`);
    if (r.rejects.length > SAMPLE) lines.push(`  … ${r.rejects.length - SAMPLE} more`);
  } else lines.push(`  imported ${r.written}`);
  return lines.join('\n');
}

/** `pnpm primaries stations import <file.csv>` (docs/paper.md). */
export function registerStationsCommands(program: Command): void {
  const stations = program.command('stations').description('Paper polling stations and their lists');
  stations
    .command('import')
    .description('Import polling stations (code,settlement,region,district,address,opens_at,closes_at) or a station list (station,iin) from CSV; all or nothing')
    .argument('<file.csv>', 'CSV with a header row')
    .action(async (file: string) => {
      const r = await stationsImport(file);
      console.log(stationsReport(file, r));
      if (r.rejects.length || r.written === 0) process.exitCode = 2;
    });
}
