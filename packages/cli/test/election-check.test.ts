import { Command } from 'commander';
import { type TestDatabase, createTestDatabase } from '@primaries/testing';
import { deploymentFromEnv, electionCheck, registerElectionCommands } from '../src/commands/election';

let t: TestDatabase;
const SLUG = 'check-2026';

beforeAll(async () => {
  t = await createTestDatabase('election_check');
  const e = await t.db
    .insertInto('elections')
    .values({ slug: SLUG, name: 'E', name_kk: null, opens_at: new Date(Date.now() + 86400_000), closes_at: new Date(Date.now() + 3 * 86400_000), freeze_date: '2026-09-11', election_day: '2026-12-10' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const contest = (name: string, seats: number, max: number) =>
    t.db.insertInto('contests').values({ election_id: e.id, level: 'national', name, seats, max_choices: max }).returning('id').executeTakeFirstOrThrow();
  // One national contest per election (a unique index): the other problems need places.
  const r = await t.db.insertInto('regions').values({ code: 'CHK', name: 'R', name_kk: null }).returning('id').executeTakeFirstOrThrow();
  const c1 = await contest('Empty list', 1, 1);
  const c2 = await t.db.insertInto('contests').values({ election_id: e.id, level: 'region', region_id: r.id, name: 'Too many marks', seats: 3, max_choices: 5 }).returning('id').executeTakeFirstOrThrow();
  const cand = (contestId: number, order: number, status: 'active' | 'removed' = 'active') => ({
    contest_id: contestId, full_name: `C${order}`, gender: 'M' as const, birth_date: '1980-01-01', ballot_order: order, status,
    removed_at: status === 'removed' ? new Date() : null,
  });
  // Contest 2: 4 candidates, one removed: 3 active < 5 marks; 3 seats = 3 active (fine).
  await t.db.insertInto('candidates').values([cand(c2.id, 1), cand(c2.id, 2), cand(c2.id, 3), cand(c2.id, 4, 'removed')]).execute();
  expect(c1.id).toBeLessThan(c2.id);
});
afterAll(async () => t.drop());

describe('pnpm primaries election check', () => {
  it('lists every problem of the election and the deployment', async () => {
    const { slug, problems } = await electionCheck({ election: SLUG }, { DATABASE_URL: t.url, NODE_ENV: 'production', SMS_PROVIDER: 'outbox' });
    expect(slug).toBe(SLUG);
    expect(problems.map((p) => p.code)).toEqual(['contest_without_candidates', 'max_marks_above_candidates', 'sms_provider_missing', 'ballot_keys_missing']);
    expect(problems[1]!.message).toMatch(/allows 5 marks but has 3 candidates/);
  });

  it('counts configured ballot keys and an http provider as configured', () => {
    expect(deploymentFromEnv({ NODE_ENV: 'production', SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://x', BALLOT_KEYS: 'k1:AAAA,k2:BBBB' })).toEqual({
      production: true, smsProvider: 'http', smsHttpUrl: 'https://x', ballotKeys: 2,
    });
    expect(deploymentFromEnv({}).ballotKeys).toBe(0);
  });

  it('exits 1 when there are problems, 0 when ready', async () => {
    const saved = { url: process.env.DATABASE_URL, env: process.env.NODE_ENV, code: process.exitCode };
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    try {
      process.env.DATABASE_URL = t.url;
      const run = async () => {
        process.exitCode = undefined;
        const program = new Command().exitOverride();
        registerElectionCommands(program);
        await program.parseAsync(['node', 'primaries', 'election', 'check', '--election', SLUG]);
        return process.exitCode;
      };
      expect(await run()).toBe(1);
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/2 problem\(s\)\n {2}contest_without_candidates: contest \d+ \(Empty list\) has no candidates/);
      await t.db.insertInto('candidates').values({ contest_id: (await t.db.selectFrom('contests').select('id').where('name', '=', 'Empty list').executeTakeFirstOrThrow()).id, full_name: 'X', gender: 'F', birth_date: '1990-01-01', ballot_order: 1 }).execute();
      await t.db.updateTable('contests').set({ max_choices: 3 }).where('name', '=', 'Too many marks').execute();
      expect(await run()).toBeUndefined();
      expect(String(log.mock.calls.at(-1)![0])).toBe(`election ${SLUG}: ready to open, no problems found`);
    } finally {
      log.mockRestore();
      process.env.DATABASE_URL = saved.url;
      process.exitCode = saved.code;
    }
  });
});
