import type { Command } from 'commander';
import { type VerifyOptions, verifyResults } from '@primaries/verifier';

/**
 * `primaries verify --url URL [--key K…]`: the independent verifier (packages/verifier) against a
 * results site: signatures and chains, the tally recomputed from the public archive, ballots
 * against turnout, removed candidates against the audit trail. Exit status 0 when nothing
 * differs, 2 when anything does (each difference is printed), 1 when the site can't be read.
 */
export async function verifyCommand(opts: { url: string; key?: string[] }, verifyOpts: VerifyOptions = {}): Promise<{ ok: boolean; lines: string[] }> {
  const report = await verifyResults(opts.url, { ...verifyOpts, ...(opts.key?.length ? { pinnedKeys: opts.key } : {}) });
  const lines = [...report.notes.map((n) => `  ${n}`), ...report.problems.map((p) => `DIFFERENCE [${p.check}] ${p.message}`)];
  lines.push(report.ok ? `results at ${opts.url} verified: no difference` : `results at ${opts.url}: ${report.problems.length} difference(s)`);
  return { ok: report.ok, lines };
}

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description('Verify a results site independently: signed snapshot chain, archive, recomputed tallies, turnout, removals (docs/verification.md)')
    .requiredOption('--url <url>', "the results site's address, e.g. https://primaries.kz/")
    .option('--key <publicKey...>', "the election's public key(s) as printed on the protocols (base64url); the site's keys must be among them")
    .action(async (opts: { url: string; key?: string[] }) => {
      const r = await verifyCommand(opts);
      for (const line of r.lines) console.log(line);
      if (!r.ok) process.exitCode = 2;
    });
}
