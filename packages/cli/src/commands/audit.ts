import type { Command } from 'commander';
import { createDb } from '@primaries/db';
import { databaseAuditEvents, publishedAuditEvents, verifyAuditStream } from '@primaries/audit';
import { databaseUrl } from '../env';

/**
 * `primaries audit verify [--url URL]`: recomputes the audit trail's hash chain from the
 * database, or from a results site's published trail (`GET /api/v1/audit`), and reports the
 * first break. Exit status 0 when the chain holds, 2 when it is broken.
 */
export async function auditVerify(opts: { url?: string }, env: Record<string, string | undefined> = process.env): Promise<{ ok: boolean; lines: string[] }> {
  if (opts.url) {
    const verdict = await verifyAuditStream(publishedAuditEvents(opts.url));
    return report(verdict, `the trail published at ${opts.url}`);
  }
  const db = createDb({ url: env.DATABASE_URL || databaseUrl(), poolMax: 2, applicationName: 'primaries-audit-verify' });
  try {
    return report(await verifyAuditStream(databaseAuditEvents(db)), 'the database');
  } finally {
    await db.destroy();
  }
}

function report(v: Awaited<ReturnType<typeof verifyAuditStream>>, source: string): { ok: boolean; lines: string[] } {
  if (v.ok) return { ok: true, lines: [`audit trail OK: ${v.count} events from ${source}; head seq ${v.head.seq}, hash ${v.head.hash}`] };
  return { ok: false, lines: [`audit trail BROKEN at event ${v.break.seq} (${v.break.problem}): ${v.break.message}`, `${v.count} events before it verified, from ${source}`] };
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('The public audit trail (docs/admin.md)');
  audit
    .command('verify')
    .description('Recompute the hash chain from the database (or a results site with --url) and report the first break')
    .option('--url <url>', "a results site's address, e.g. https://primaries.kz/ (reads GET /api/v1/audit)")
    .action(async (opts: { url?: string }) => {
      const r = await auditVerify(opts);
      for (const line of r.lines) console.log(line);
      if (!r.ok) process.exitCode = 2;
    });
}
