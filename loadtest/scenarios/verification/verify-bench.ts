/**
 * Times the independent verifier (issue #16) on a 2020-sized election: ~2 million ballots.
 * Takes the database tally-bench.ts builds and keeps, gives every ballot a counted receipt
 * and every removed candidate its audit event (once), closes the election, publishes a signed
 * snapshot with the public archive, serves it with the results app, and runs
 * `verifyResults` against it, which downloads and recounts everything.
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/results-viewers/tally-bench.ts --runs 1 --keep [--scale 0.01]
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/verification/verify-bench.ts [--runs 3] [--drop]
 */
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '@primaries/config';
import { appendAuditEvent, createDb } from '@primaries/db';
import { buildResultsApp } from '@primaries/results/app';
import { newSigningKeyEntry, parseSigningKey } from '@primaries/sealing';
import { verifyResults } from '@primaries/verifier';
import { rebuildResults } from '@primaries/worker/tally';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    drop: { type: 'boolean', default: false },
    database: { type: 'string', default: 'primaries_tallybench' },
    admin: { type: 'string', default: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});

async function main() {
  const url = new URL(args.admin);
  url.pathname = `/${args.database}`;
  const db = createDb({ url: url.toString(), poolMax: 6, applicationName: 'verify-bench' });
  // What tally-bench leaves out and an honest election has: a counted receipt per ballot, a removal event per removed candidate.
  await sql`insert into receipts (receipt_hash, contest_id, status, counted_in)
    select sha256(b.id::text::bytea), b.contest_id, 'counted', 1 from ballots b
    on conflict (receipt_hash) do nothing`.execute(db);
  const events = await sql<{ n: number }>`select count(*)::int n from audit_events where action = 'candidate.removed'`.execute(db);
  if (events.rows[0]!.n === 0) {
    const removed = await db.selectFrom('candidates').select('id').where('status', '=', 'removed').orderBy('id').execute();
    await db.transaction().execute(async (trx) => {
      for (const c of removed) await appendAuditEvent(trx, { actor: { role: 'control', id: '1' }, action: 'candidate.removed', subject: `candidate:${c.id}`, reason: 'debates' });
    });
  }
  await sql`update elections set closed_at = coalesce(closed_at, now())`.execute(db);

  const redis = new Redis(args.redis, { maxRetriesPerRequest: 3 });
  const prefix = `verifybench_${process.pid}`;
  const t0 = performance.now();
  const { snapshot } = await rebuildResults(db, redis, prefix, { releaser: null, signer: parseSigningKey(newSigningKeyEntry('bench')) });
  const publishMs = Math.round(performance.now() - t0);
  const files = snapshot!.signed!.archive ?? [];
  console.log(`published: ${files.length} archive files, ${(files.reduce((n, f) => n + f.bytes, 0) / 1e6).toFixed(1)} MB, in ${publishMs} ms (tally ${snapshot!.buildMs} ms)`);

  const app = await buildResultsApp(loadConfig('results', { NODE_ENV: 'test', LOG_LEVEL: 'warn', REDIS_URL: args.redis, REDIS_PREFIX: prefix }), { redis });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const site = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
  const runs: { ms: number; ok: boolean; problems: number }[] = [];
  try {
    for (let i = 0; i < Number(args.runs); i++) {
      const t = performance.now();
      const report = await verifyResults(site);
      const ms = Math.round(performance.now() - t);
      runs.push({ ms, ok: report.ok, problems: report.problems.length });
      console.log(`  run ${i + 1}: ${ms} ms, ${report.ok ? 'no difference' : `${report.problems.length} differences, first: ${report.problems[0]?.message}`} (${report.notes.join('; ')})`);
    }
  } finally {
    await app.close();
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    redis.disconnect();
    await db.destroy();
  }
  if (args.drop) {
    const c = new pg.Client({ connectionString: args.admin });
    await c.connect();
    await c.query(`drop database if exists "${args.database}" with (force)`);
    await c.end();
  }
  const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
  const summary = { at: new Date().toISOString(), database: args.database, publishMs, files: files.length, runs, medianMs: sorted[Math.floor(sorted.length / 2)] };
  console.log(`median verification: ${summary.medianMs} ms (target ≤ 60,000 ms for 2 M ballots)`);
  const dir = path.join(__dirname, '..', '..', 'results');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `verify-bench-${Date.now()}.json`), JSON.stringify(summary, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
