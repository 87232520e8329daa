/**
 * The voting scenario on two versions of the code in one run (issue #9's "before and after,
 * in the same run"): each version from its own git worktree (`--before`, and `--after` or
 * this checkout), installed, migrated and seeded into a database of its own, then run.ts
 * of THAT version with --spawn (its own vote service, worker and gateway), alternating the
 * versions round by round so that a machine getting busier does not favour one of them.
 * Prints accepted ballots/s side by side; exit code 1 if a run fails its own checks.
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/voting/compare.ts \
 *     --before 84ea473^ [--after <ref>] [--rounds 2] [--voters 5000] [--connections 200] \
 *     [--members 30000] [--direct] [--keep]
 *
 * Default --before: 84ea473^, main just before issue #9 (receipts apart, sealing, release).
 * Reads DATABASE_URL (only its server is used: databases `primaries_cmp_<version>_<random>`
 * are created there and dropped after, unless --keep) and REDIS_URL.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    before: { type: 'string', default: '84ea473^' },
    /** Default: this checkout as it is (uncommitted changes included). */
    after: { type: 'string' },
    rounds: { type: 'string', default: '2' },
    voters: { type: 'string', default: '5000' },
    connections: { type: 'string', default: '200' },
    members: { type: 'string', default: '30000' },
    direct: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/primaries';
const log = (msg: string) => console.log(`[compare] ${msg}`);
/** What to undo at the end, newest first: worktrees and databases, as they are made. */
const cleanups: Array<() => Promise<unknown>> = [];

interface Version {
  label: string;
  dir: string;
  databaseUrl: string;
}

interface Run {
  ballotsPerSecond: number;
  p99: number;
  ok: boolean;
}

/** Runs a command, its output shown; resolves with stdout, rejects on a non-zero exit. */
function run(cmd: string, argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; quiet?: boolean }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!opts.quiet) process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}`))));
  });
}

function databaseUrl(name: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function dropDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

/** A worktree of `ref` (or this checkout), installed, with a migrated and seeded database of its own. */
async function prepare(label: string, ref: string | undefined, scratch: string): Promise<Version> {
  const databaseUrlOf = databaseUrl(`primaries_cmp_${label}_${randomBytes(3).toString('hex')}`);
  let dir = ROOT;
  if (ref !== undefined) {
    dir = path.join(scratch, label);
    log(`${label}: ${ref} → ${dir}`);
    await run('git', ['worktree', 'add', '--detach', dir, ref], { cwd: ROOT });
    const made = dir;
    cleanups.unshift(() => run('git', ['worktree', 'remove', '--force', made], { cwd: ROOT, quiet: true }));
    await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], { cwd: dir, quiet: true });
  }
  const commit = (await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, quiet: true })).trim();
  log(`${label}: commit ${commit}${ref === undefined ? ' (this checkout, as it is)' : ''}; database ${new URL(databaseUrlOf).pathname.slice(1)}`);
  const env = { DATABASE_URL: databaseUrlOf };
  if (!args.keep) cleanups.unshift(() => dropDatabase(databaseUrlOf));
  await run('pnpm', ['run', 'db:migrate'], { cwd: dir, env, quiet: true });
  await run('pnpm', ['run', 'seed', '--members', args.members, '--out', path.join(scratch, `${label}-members.csv`), '--quiet'], { cwd: dir, env, quiet: true });
  return { label: `${label} (${commit})`, dir, databaseUrl: databaseUrlOf };
}

/** The voting scenario of that version, against its own services (--spawn). */
async function runScenario(v: Version, round: number): Promise<Run> {
  const argv = ['--filter', '@primaries/loadtest', 'exec', 'tsx', 'scenarios/voting/run.ts', '--spawn', '--voters', args.voters, '--connections', args.connections, '--no-baseline', '--label', `compare-r${round}`];
  if (args.direct) argv.push('--direct');
  log(`round ${round}: ${v.label}`);
  const out = await run('pnpm', argv, { cwd: v.dir, env: { DATABASE_URL: v.databaseUrl } }).catch((err: Error) => {
    log(`${v.label}: ${err.message}`);
    return '';
  });
  const rate = /accepted ballots\/s\s*:\s*(\d+)/.exec(out);
  const p99 = /latency\s*:.*p99 (\d+) ms/.exec(out);
  return { ballotsPerSecond: rate ? Number(rate[1]) : 0, p99: p99 ? Number(p99[1]) : 0, ok: /receipts check\s*:.*OK/.test(out) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : 0;
};

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'primaries-compare-'));
  const versions: Version[] = [];
  try {
    versions.push(await prepare('before', args.before, scratch));
    versions.push(await prepare('after', args.after, scratch));
    const results: Run[][] = versions.map(() => []);
    const rounds = Number(args.rounds);
    for (let r = 1; r <= rounds; r++) {
      // before, after in odd rounds; after, before in even ones.
      const order = r % 2 === 1 ? [0, 1] : [1, 0];
      for (const i of order) results[i]!.push(await runScenario(versions[i]!, r));
    }
    console.log(`\n=== voting scenario, ${args.voters} voters, ${args.connections} connections${args.direct ? ', no gateway' : ', through the gateway'} ===`);
    console.log(['round', ...versions.map((v) => `${v.label} ballots/s (p99 ms)`), 'after / before'].join(' | '));
    for (let r = 0; r < rounds; r++) {
      const [b, a] = [results[0]![r]!, results[1]![r]!];
      const cell = (x: Run) => `${x.ballotsPerSecond} (${x.p99})${x.ok ? '' : ' FAILED'}`;
      console.log([r + 1, cell(b), cell(a), b.ballotsPerSecond ? (a.ballotsPerSecond / b.ballotsPerSecond).toFixed(2) : '-'].join(' | '));
    }
    const [mb, ma] = [median(results[0]!.map((x) => x.ballotsPerSecond)), median(results[1]!.map((x) => x.ballotsPerSecond))];
    console.log(`median | ${mb} | ${ma} | ${mb ? (ma / mb).toFixed(2) : '-'}  (issue #9's target: after within 10 % of before)`);
    if (results.flat().some((x) => !x.ok)) process.exitCode = 1;
  } finally {
    for (const undo of cleanups) await undo().catch((err: Error) => log(`cleanup: ${err.message}`));
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
