import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { type TestDatabase, TEST_PG_ADMIN_URL, createSmallElection, createTestDatabase, uniqueId } from '@primaries/testing';
import {
  type Database,
  ROLE_WRITES,
  type ServiceRoles,
  applyServiceGrants,
  createDb,
  insertBallots,
  insertOnlineParticipation,
  insertReceipts,
  knownReceiptHashes,
  membersAuthorizedFromIp,
  receiptStatus,
  recordAuthorization,
  serviceGrantStatements,
} from '@primaries/db';

/**
 * The database roles of the split (docs/deploy.md): each service connects as its own role;
 * the vote service can record a login but not a ballot; only the worker and the admin
 * service write the ballots' tables. Roles of this test's own, dropped at the end.
 */

const id = uniqueId('grants');
const roles: ServiceRoles = { vote: `${id}_vote`, worker: `${id}_worker`, admin: `${id}_admin` };
let t: TestDatabase;
const as: Partial<Record<keyof ServiceRoles, Kysely<Database>>> = {};

async function admin(query: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    await c.query(query);
  } finally {
    await c.end();
  }
}

function connectAs(role: string): Kysely<Database> {
  const u = new URL(t.url);
  u.username = role;
  return createDb({ url: u.toString(), poolMax: 2, applicationName: `test-${role}` });
}

beforeAll(async () => {
  t = await createTestDatabase('grants');
  for (const r of Object.values(roles)) await admin(`create role "${r}" login`);
  await applyServiceGrants(t.db, roles);
  for (const k of Object.keys(roles) as (keyof ServiceRoles)[]) as[k] = connectAs(roles[k]);
});
afterAll(async () => {
  for (const db of Object.values(as)) await db.destroy();
  await t?.drop();
  for (const r of Object.values(roles)) await admin(`drop role if exists "${r}"`);
});

async function member(db: Kysely<Database>, e: { regionIds: number[]; districtIds: number[] }, iin = '880229400003', phone = '+77012345679') {
  return db
    .insertInto('members')
    .values({ iin, phone, full_name: 'B', gender: 'F', birth_date: '1988-02-29', region_id: e.regionIds[0]!, district_id: e.districtIds[0]!, primary_org: 'PPO-1', admitted_at: '2020-01-01' })
    .returning('id')
    .executeTakeFirstOrThrow();
}

const denied = /permission denied/;

describe('service database roles (db grants)', () => {
  it('let each service do what its code does, through the real repository functions', async () => {
    const e = await createSmallElection(t.db);
    const m = await member(t.db, e);
    // The vote service: reads the register and records a login.
    await recordAuthorization(as.vote!, { electionId: e.electionId, memberId: m.id, ip: '10.1.2.3', userAgent: 'test' });
    expect(await membersAuthorizedFromIp(as.vote!, e.electionId, '10.1.2.3')).toEqual([m.id]);
    expect(await receiptStatus(as.vote!, 'ab'.repeat(32))).toBeNull();
    // The worker: participation and the anonymous ballot in one transaction, the receipt apart.
    await as.worker!.transaction().execute(async (trx) => {
      expect((await insertOnlineParticipation(trx, [m.id], [e.contests.national])).size).toBe(1);
      await insertBallots(trx, [{ contestId: e.contests.national, marks: e.candidates[e.contests.national]!.slice(0, 1) }]);
    });
    await insertReceipts(as.worker!, [{ hash: 'cd'.repeat(32), contestId: e.contests.national }], 'recorded');
    expect(await knownReceiptHashes(as.worker!, ['cd'.repeat(32)])).toEqual(new Set(['cd'.repeat(32)]));
    expect(await receiptStatus(as.vote!, 'cd'.repeat(32))).toBe('recorded');
    // The admin service manages the election.
    await as.admin!.updateTable('elections').set({ name: 'Renamed' }).where('id', '=', e.electionId).execute();
  });

  it('keep the vote service out of the ballots\' tables and the register', async () => {
    const e = await createSmallElection(t.db);
    const memberId = (await member(as.admin!, e, '061211600012', '+77012345670')).id;
    await expect(insertBallots(as.vote!, [{ contestId: e.contests.national, marks: [1] }])).rejects.toThrow(denied);
    await expect(insertReceipts(as.vote!, [{ hash: 'ef'.repeat(32), contestId: e.contests.national }], 'recorded')).rejects.toThrow(denied);
    await expect(insertOnlineParticipation(as.vote!, [memberId], [e.contests.national])).rejects.toThrow(denied);
    await expect(as.vote!.updateTable('members').set({ status: 'blocked' }).execute()).rejects.toThrow(denied);
    await expect(as.vote!.deleteFrom('authorizations').execute()).rejects.toThrow(denied);
    await expect(as.worker!.updateTable('ballots').set({ marks: [] }).execute()).rejects.toThrow(denied);
    await expect(as.worker!.insertInto('authorizations').values({ election_id: e.electionId, member_id: memberId, ip: '10.0.0.1', user_agent: null }).execute()).rejects.toThrow(denied);
    await expect(as.admin!.deleteFrom('audit_events').execute()).rejects.toThrow(denied);
    for (const db of Object.values(as)) {
      await expect(sql`create table sneaky (x int)`.execute(db)).rejects.toThrow(denied);
      await expect(sql`select * from kysely_migration`.execute(db)).rejects.toThrow(denied);
    }
  });

  it('take back what a role was given by hand when run again', async () => {
    await sql.raw(`grant insert on ballots to "${roles.vote}"`).execute(t.db);
    await applyServiceGrants(t.db, roles);
    const e = await createSmallElection(t.db);
    await expect(insertBallots(as.vote!, [{ contestId: e.contests.national, marks: [1] }])).rejects.toThrow(denied);
  });

  it('refuses to run before the roles exist', async () => {
    await expect(applyServiceGrants(t.db, { ...roles, admin: `${id}_nobody` })).rejects.toThrow(/no such database role: .*_nobody/);
  });
});

/** Exported repository functions of packages/db and what each writes, as "insert ballots", "update receipts"… */
function repositoryWrites(): Map<string, Set<string>> {
  const dir = path.join(__dirname, '..', '..', 'packages', 'db', 'src', 'repositories');
  const verbs: Record<string, string> = { insertinto: 'insert', updatetable: 'update', deletefrom: 'delete', 'insert into': 'insert', update: 'update', 'delete from': 'delete' };
  const out = new Map<string, Set<string>>();
  for (const file of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const starts = [...text.matchAll(/^export (?:async )?function (\w+)/gm)];
    starts.forEach((m, i) => {
      const body = text.slice(m.index, starts[i + 1]?.index ?? text.length);
      const found = [...body.matchAll(/(insertInto|updateTable|deleteFrom)\('(\w+)'\)|\b(insert\s+into|update|delete\s+from)\s+(\w+)\s/gi)]
        .map((x) => [verbs[(x[1] ?? x[3])!.toLowerCase().replace(/\s+/, ' ')]!, (x[2] ?? x[4])!] as const)
        .filter(([, table]) => !['set', 'do', 'nothing'].includes(table));
      out.set(m[1]!, new Set(found.map(([verb, table]) => `${verb} ${table}`)));
    });
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.ts$/.test(name) ? [p] : [];
  });
}

describe('the grants against the code', () => {
  it('grant every table a service\'s code writes (through packages/db repositories)', () => {
    const writes = repositoryWrites();
    expect(writes.get('insertBallots')).toEqual(new Set(['insert ballots']));
    expect(writes.get('insertOnlineParticipation')).toEqual(new Set(['insert participation']));
    expect(writes.get('recordAuthorization')).toEqual(new Set(['insert authorizations']));
    expect(writes.get('beginCountingReceipts')).toEqual(new Set(['update receipts']));
    expect(writes.get('membersAuthorizedFromIp')).toEqual(new Set());
    for (const service of ['vote', 'worker'] as const) {
      const src = path.join(__dirname, '..', '..', 'services', service, 'src');
      const used = new Set(sourceFiles(src).flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        return [...text.matchAll(/import\s*\{([^}]*)\}\s*from '@primaries\/db'/g)].flatMap((m) => m[1]!.split(',').map((s) => s.replace(/^\s*type\s+/, '').trim()));
      }));
      const written = [...used].flatMap((fn) => [...(writes.get(fn) ?? [])]);
      const granted = Object.entries(ROLE_WRITES[service]).flatMap(([verb, tables]) => tables.map((table) => `${verb} ${table}`));
      expect({ service, ungranted: written.filter((w) => !granted.includes(w)) }).toEqual({ service, ungranted: [] });
    }
  });

  it('never let the vote service write a ballot or a participation row', () => {
    const statements = serviceGrantStatements(roles).join('\n');
    expect(statements).not.toMatch(new RegExp(`grant [^\\n]*(ballots|participation)[^\\n]* to "${roles.vote}"`));
  });
});
