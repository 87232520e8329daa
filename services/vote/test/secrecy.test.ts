import { sql } from 'kysely';
import { bullPrefix } from '@primaries/queue';
import { waitFor } from '@primaries/testing';
import { hashReceipt } from '../src/voting/receipt';
import { type VotingHarness, votingHarness } from './voting-fixtures';

// DOMAIN.md: who voted and what they voted are never stored together once a ballot is
// recorded; logs never hold choices. An election run end to end, then every table, every
// Redis key and every log line is searched for a link between a member and a mark.
let h: VotingHarness;
const voters: Array<{ memberId: string; token: string; receipts: string[]; marks: number[][] }> = [];

beforeAll(async () => {
  h = await votingHarness('secrecy');
  const worker = await h.startWorker();
  for (let i = 0; i < 16; i++) {
    const [r, d] = [i % 2, Math.floor(i / 2) % 2];
    const memberId = await h.addMember(r, d);
    const token = await h.token(memberId);
    const ballot = (await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: { authorization: `Bearer ${token}` } })).json() as {
      contests: Array<{ id: number; candidates: Array<{ id: number }> }>;
    };
    const selections = ballot.contests.map((c, k) => ({ contestId: c.id, candidateIds: [c.candidates[(i + k) % 4]!.id] }));
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${token}` }, payload: { selections } });
    expect(res.statusCode).toBe(202);
    // A refused second try must not leak either.
    await h.app.inject({ method: 'POST', url: '/api/v1/votes', headers: { authorization: `Bearer ${token}` }, payload: { selections } });
    voters.push({ memberId, token, receipts: (res.json().receipts as Array<{ receipt: string }>).map((r) => r.receipt), marks: selections.map((s) => s.candidateIds) });
  }
  await waitFor(async () => Number((await sql<{ n: string }>`select count(*) n from ballots`.execute(h.tdb.db)).rows[0]!.n) === 48, { message: '48 ballots' });
  for (const v of voters) {
    expect(v.receipts).toHaveLength(3);
    for (const r of v.receipts) {
      const s = (await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${r}` })).json().status;
      expect(s).toBe('recorded');
    }
  }
  await worker.close();
});
afterAll(async () => {
  await h.close();
});

describe('ballot secrecy', () => {
  it('no table holds both a member reference and a mark; ballots have no member and no time', async () => {
    const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
      select table_name, column_name, data_type from information_schema.columns
      where table_schema = 'public' and table_name not like 'kysely_%'`.execute(h.tdb.db);
    const { rows: fks } = await sql<{ table_name: string; column_name: string; ref: string }>`
      select kcu.table_name, kcu.column_name, ccu.table_name as ref
      from information_schema.table_constraints tc
      join information_schema.key_column_usage kcu on kcu.constraint_name = tc.constraint_name and kcu.table_schema = tc.table_schema
      join information_schema.constraint_column_usage ccu on ccu.constraint_name = tc.constraint_name and ccu.table_schema = tc.table_schema
      where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = 'public'`.execute(h.tdb.db);
    const tables = [...new Set(columns.map((c) => c.table_name))];
    expect(tables).toEqual(expect.arrayContaining(['ballots', 'participation', 'members']));
    for (const t of tables) {
      const cols = columns.filter((c) => c.table_name === t);
      const linksMember = cols.some((c) => /member/.test(c.column_name)) || fks.some((f) => f.table_name === t && f.ref === 'members');
      const holdsMarks = cols.some((c) => /mark|selection|choice/.test(c.column_name));
      expect({ table: t, memberAndMarks: linksMember && holdsMarks }).toEqual({ table: t, memberAndMarks: false });
    }
    const ballotCols = columns.filter((c) => c.table_name === 'ballots');
    expect(ballotCols.map((c) => c.column_name).sort()).toEqual(['contest_id', 'id', 'marks']);
    expect(ballotCols.some((c) => /time|date/.test(c.data_type))).toBe(false);
    expect(fks.filter((f) => f.table_name === 'ballots').map((f) => f.ref)).toEqual(['contests']);
    // Ballot ids are random, not a sequence that follows arrival order.
    expect(ballotCols.find((c) => c.column_name === 'id')!.data_type).toBe('uuid');
  });

  it('no row anywhere carries a receipt, and only the receipts table its hash; participation time is hour-grained only', async () => {
    const tables = (await sql<{ t: string }>`select table_name t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(h.tdb.db)).rows.map((r) => r.t);
    const receipts = voters.flatMap((v) => v.receipts);
    const hashes = receipts.map((r) => hashReceipt(r));
    // A bytea comes out of row_to_json as "\\x<hex>": the hex of a hash is what to look for.
    for (const t of tables) {
      const { rows } = await sql<{ j: string }>`select row_to_json(x)::text j from ${sql.table(t)} x`.execute(h.tdb.db);
      for (const { j } of rows) {
        for (const r of receipts) expect(j.includes(r)).toBe(false);
        if (t !== 'receipts') for (const hh of hashes) expect(j.includes(hh)).toBe(false);
      }
    }
    const { rows: held } = await sql<{ h: string }>`select encode(receipt_hash, 'hex') h from receipts`.execute(h.tdb.db);
    expect(held.map((r) => r.h).sort()).toEqual([...hashes].sort());
    const { rows } = await sql<{ n: string }>`select count(*) n from participation where recorded_hour <> date_trunc('hour', recorded_hour)`.execute(h.tdb.db);
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('Redis keeps no job (member + marks) once recorded, and no receipt beside a member', async () => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await h.tr.redis.scan(cursor, 'MATCH', `${h.tr.prefix}*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    expect(keys.filter((k) => k.startsWith(`${bullPrefix(h.tr.prefix)}:votes:votes-`))).toEqual([]);
    for (const k of keys) {
      const type = await h.tr.redis.type(k);
      const dump = type === 'string' ? await h.tr.redis.get(k) : type === 'hash' ? JSON.stringify(await h.tr.redis.hgetall(k)) : type === 'set' ? JSON.stringify(await h.tr.redis.smembers(k)) : '';
      const text = `${k} ${dump ?? ''}`;
      for (const r of voters.flatMap((v) => v.receipts)) {
        expect(text.includes(r) || text.includes(hashReceipt(r))).toBe(false);
      }
      expect(/"marks"/.test(text)).toBe(false);
    }
  });

  it('log lines hold no choices, no tokens, and never a receipt beside a member', () => {
    expect(h.logLines.length).toBeGreaterThan(voters.length * 3);
    for (const line of h.logLines) {
      expect(line).not.toMatch(/selections|candidateIds|"marks"/);
      for (const v of voters) {
        expect(line.includes(v.token)).toBe(false);
        const hasMember = new RegExp(`"(memberId|member_id)":"?${v.memberId}\\b`).test(line);
        expect(hasMember && voters.some((w) => w.receipts.some((r) => line.includes(r)))).toBe(false);
      }
    }
  });
});
