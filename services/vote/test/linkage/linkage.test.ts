import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '@primaries/db';
import { ClearSealer } from './clear-sealer';
import { type Evidence, VOTERS, runElection } from './election';
import { type Check, allChecks, links } from './insider';

/**
 * The linkage suite (issue #9, docs/secrecy.md): an insider with read access to every store
 * — Postgres with its system columns, Redis's memory, AOF and RDB files, the queue, its dead
 * letters, every log line — tries to link members to marks. With ballots sealed and
 * released in shuffled groups of K, no trail leaves fewer than K ballots for anyone; on a
 * deliberately unsealed, unmixed configuration every trail links (so the suite can fail).
 * It takes over the role of the former secrecy.test.ts, whose assertions are kept below.
 */

const K = 6;
const hash = (r: string) => createHash('sha256').update(r).digest('hex');
const STRUCTURAL = ['xmin', 'ctid / insertion order', 'timestamps (appearance in time)', 'receipt hashes', 'sealed ballot sizes', 'WAL'];

function names(checks: Check[]): string[] {
  return checks.map((c) => c.name);
}

describe(`an insider with every store but not the key, ${VOTERS} voters, K = ${K}`, () => {
  let e: Evidence;
  let checks: Check[];
  let close: () => Promise<void>;
  let db: Kysely<Database>;

  beforeAll(async () => {
    const run = await runElection({ label: 'sealed', K });
    ({ evidence: e, close } = run);
    db = run.db;
    checks = allChecks(e);
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it('ran as intended: every ballot recorded once, all released by the close in groups of at least K (the last too), the dead letter kept', () => {
    expect(e.final.participation).toHaveLength(VOTERS * 3);
    expect(e.final.ballots).toHaveLength(VOTERS * 3);
    expect(e.final.sealed).toHaveLength(0);
    const groups = new Map<string, number>();
    for (const b of e.final.ballots) groups.set(`${b.contest_id}:${b.xmin}`, (groups.get(`${b.contest_id}:${b.xmin}`) ?? 0) + 1);
    expect(groups.size).toBeGreaterThan(3);
    for (const n of groups.values()) expect(n).toBeGreaterThanOrEqual(K);
    // Every group holds more than one distinct ballot (else the group itself would tell).
    expect(e.deadLetters).toHaveLength(1);
    expect(e.queuedJobs.length).toBeGreaterThanOrEqual(4);
  });

  it.each(STRUCTURAL)('%s: the trail reaches every voter, and leaves each at least K ballots of differing marks', (name) => {
    const check = checks.find((c) => c.name === name)!;
    expect(check.findings.length).toBeGreaterThanOrEqual(VOTERS * 3);
    expect(links(check, e)).toEqual([]);
  });

  it.each(['AOF (before the rewrite)', 'AOF (after the rewrite)', 'RDB', 'BullMQ jobs waiting', 'dead letters', 'every Redis key at the end', 'log lines'])(
    '%s: no member id beside a readable mark',
    (name) => {
      const check = checks.find((c) => c.name === name)!;
      expect(check.findings).toEqual([]);
    },
  );

  it('greps: no "marks", no receipt and no receipt hash in the AOF, the RDB, the dead letters or any Redis key; member ids beside sealed ballots only', () => {
    const texts = { aof: e.aofBeforeRewrite.toString('latin1') + e.aofAfterRewrite.toString('latin1'), rdb: e.rdb.toString('latin1'), dead: JSON.stringify(e.deadLetters), keys: e.redisDump.join('\n') };
    for (const [where, text] of Object.entries(texts)) {
      expect({ where, marks: /"marks"|candidateIds|selections/.test(text) }).toEqual({ where, marks: false });
      for (const v of e.voters) for (const r of v.receipts.values()) expect({ where, receipt: text.includes(r) }).toEqual({ where, receipt: false });
    }
    // The AOF does hold who voted (the queue must), but each vote only with a sealed ballot.
    expect(texts.aof).toContain(`"memberId":"${e.voters[0]!.memberId}"`);
    expect(texts.aof).toMatch(/"sealed":"linkage\.[A-Za-z0-9_-]{40,}"/);
  });

  it('every sealed ballot of a contest has the same size, whatever the number of marks', () => {
    const sizes = new Map<number, Set<number>>();
    for (const s of e.watch.flatMap((w) => w.sealed)) sizes.set(s.contest_id, (sizes.get(s.contest_id) ?? new Set()).add(s.sealed.length));
    expect(sizes.size).toBeGreaterThan(0);
    for (const set of sizes.values()) expect(set.size).toBe(1);
  });

  // The former secrecy.test.ts, on this run.
  it('no table holds both a member reference and a mark; ballots and sealed ballots have no member and no time', async () => {
    const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
      select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'public' and table_name not like 'kysely_%'`.execute(db);
    const { rows: fks } = await sql<{ table_name: string; ref: string }>`
      select kcu.table_name, ccu.table_name as ref
      from information_schema.table_constraints tc
      join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = 'public'`.execute(db);
    const tables = [...new Set(columns.map((c) => c.table_name))];
    expect(tables).toEqual(expect.arrayContaining(['ballots', 'sealed_ballots', 'receipts', 'participation', 'members']));
    for (const t of tables) {
      const cols = columns.filter((c) => c.table_name === t);
      const linksMember = cols.some((c) => /member/.test(c.column_name)) || fks.some((f) => f.table_name === t && f.ref === 'members');
      const holdsMarks = cols.some((c) => /mark|selection|choice/.test(c.column_name));
      expect({ table: t, memberAndMarks: linksMember && holdsMarks }).toEqual({ table: t, memberAndMarks: false });
    }
    const ballotCols = columns.filter((c) => c.table_name === 'ballots');
    expect(ballotCols.map((c) => c.column_name).sort()).toEqual(['contest_id', 'id', 'marks']);
    expect(ballotCols.find((c) => c.column_name === 'id')!.data_type).toBe('uuid');
    for (const t of ['ballots', 'sealed_ballots', 'receipts']) {
      expect(columns.filter((c) => c.table_name === t).some((c) => /time|date/.test(c.data_type))).toBe(false);
      expect(fks.filter((f) => f.table_name === t).map((f) => f.ref)).toEqual(['contests']);
    }
  });

  it('no row anywhere carries a receipt, only the receipts table its hash; participation time is hour-grained only', async () => {
    const tables = (await sql<{ t: string }>`select table_name t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db)).rows.map((r) => r.t);
    const receipts = e.voters.flatMap((v) => [...v.receipts.values()]);
    for (const t of tables) {
      const { rows } = await sql<{ j: string }>`select row_to_json(x)::text j from ${sql.table(t)} x`.execute(db);
      for (const { j } of rows) {
        for (const r of receipts) expect(j.includes(r)).toBe(false);
        if (t !== 'receipts') for (const r of receipts) expect(j.includes(hash(r))).toBe(false);
      }
    }
    expect(e.final.participation.every((p) => p.recorded_hour.getTime() % 3_600_000 === 0)).toBe(true);
  });

  it('Redis keeps no vote job once recorded, and no recorded receipt', () => {
    expect(e.redisDump.filter((line) => /^linkage:bull:votes:votes-/.test(line))).toEqual([]);
    // Once the window has closed, the public archive's receipts files list the counted
    // receipts' hashes (issue #16, docs/verification.md): written at once, sorted, in files of
    // their own that hold nothing else, so those alone may name them.
    const publicReceipts = /^linkage:archive:\d+:file:receipts-contest-\d+\.csv (snapshot,receipt_sha256\n(\d+,[0-9a-f]{64}\n)*)$/;
    expect(e.redisDump.filter((line) => line.includes(':archive:') && line.includes(':file:receipts-')).every((line) => publicReceipts.test(line))).toBe(true);
    for (const line of e.redisDump.filter((l) => !publicReceipts.test(l))) for (const v of e.voters) for (const r of v.receipts.values()) expect(line.includes(r) || line.includes(hash(r))).toBe(false);
  });

  it('log lines hold no choices, no tokens, and never a receipt beside a member', () => {
    expect(e.logLines.length).toBeGreaterThan(VOTERS * 3);
    for (const line of e.logLines) {
      expect(line).not.toMatch(/selections|candidateIds|"marks"/);
      for (const v of e.voters) {
        expect(line.includes(v.token)).toBe(false);
        const hasMember = new RegExp(`"(memberId|member_id)":"?${v.memberId}\\b`).test(line);
        expect(hasMember && e.voters.some((w) => [...w.receipts.values()].some((r) => line.includes(r)))).toBe(false);
      }
    }
  });
});

describe('the same insider on a deliberately unsealed, unmixed configuration (clear envelopes, K = 1 and no reserve, vote bodies logged)', () => {
  let e: Evidence;
  let checks: Check[];
  let close: () => Promise<void>;

  beforeAll(async () => {
    const run = await runElection({ label: 'clear', K: 1, reserve: 0, sealer: new ClearSealer(), logBodies: true });
    ({ evidence: e, close } = run);
    checks = allChecks(e);
  }, 120_000);
  afterAll(async () => {
    await close?.();
  });

  it('runs every check of the sealed run', () => {
    expect(names(checks)).toEqual(expect.arrayContaining(STRUCTURAL));
    expect(checks).toHaveLength(13);
  });

  it.each(STRUCTURAL)('%s links most voters to their marks', (name) => {
    const check = checks.find((c) => c.name === name)!;
    expect(links(check, e).length).toBeGreaterThanOrEqual(VOTERS);
  });

  it.each(['AOF (before the rewrite)', 'AOF (after the rewrite)', 'RDB', 'BullMQ jobs waiting', 'dead letters', 'every Redis key at the end', 'log lines'])('%s links a member to their marks', (name) => {
    expect(links(checks.find((c) => c.name === name)!, e).length).toBeGreaterThanOrEqual(1);
  });
});
