import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { setTimeout as sleep } from 'node:timers/promises';
import { appendAuditEventOnce, insertReceipts, insertSealedBallots, listAuditEvents, verifyAuditChain } from '@primaries/db';
import { BallotSealer, newBallotKeyEntry, parseBallotKeys, parseSealed } from '@primaries/sealing';
import { type SmallElection, type TestDatabase, createSmallElection, createTestDatabase } from '@primaries/testing';
import { releaseGroup } from '../src/release/release';
import { recordWindowEvents } from '../src/tally/lifecycle';

// Issue #12: lifecycle events the system makes without staff go into the audit trail, in the
// same transaction as the change they record (actor `system`), once each, and the chain
// still verifies.
let tdb: TestDatabase;
let el: SmallElection;
const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));
const opensAt = new Date(Date.now() - 3600_000);
const closesAt = new Date(Date.now() + 3600_000);

beforeAll(async () => {
  tdb = await createTestDatabase('lifecycle_audit');
  el = await createSmallElection(tdb.db, { opensAt, closesAt, maxChoices: 2 });
});
afterAll(async () => {
  await tdb.drop();
});

const events = () => listAuditEvents(tdb.db, 0, 1000);
const of = async (action: string) => (await events()).filter((e) => e.action === action);

/** Makes the audit trail's inserts fail at commit: a failure after the event's insert, inside its transaction. */
async function failAuditCommits(on: boolean): Promise<void> {
  if (on) {
    await sql`create function fail_audit() returns trigger language plpgsql as $$ begin raise exception 'injected failure after the audit insert'; end $$`.execute(tdb.db);
    await sql`create constraint trigger fail_audit after insert on audit_events deferrable initially deferred for each row execute function fail_audit()`.execute(tdb.db);
  } else {
    await sql`drop trigger fail_audit on audit_events`.execute(tdb.db);
    await sql`drop function fail_audit()`.execute(tdb.db);
  }
}

describe('the voting window', () => {
  it('records nothing before the window opens', async () => {
    expect(await recordWindowEvents(tdb.db, el.electionId, new Date(opensAt.getTime() - 1000))).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('records the opening once, however many workers see it at once', async () => {
    const now = new Date();
    const written = await Promise.all([1, 2, 3, 4].map(() => recordWindowEvents(tdb.db, el.electionId, now)));
    expect(written.flat()).toHaveLength(1);
    await recordWindowEvents(tdb.db, el.electionId, now);
    const opened = await of('election.opened');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ actor: { role: 'system', id: 'worker' }, subject: `election:${el.electionId}` });
    expect(opened[0]!.reason).toContain(opensAt.toISOString());
  });

  it('once: a writer that waited on the trail\'s lock finds the event of the one before it', async () => {
    const entry = { actor: { role: 'system', id: 'test' }, action: 'test.once', subject: 'test:1' };
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // A appends and holds its transaction open; B checks meanwhile (sees nothing yet) and waits on the lock.
    const a = tdb.db.transaction().execute(async (trx) => {
      const e = await appendAuditEventOnce(trx, entry);
      await held;
      return e;
    });
    await sleep(100);
    const b = tdb.db.transaction().execute((trx) => appendAuditEventOnce(trx, entry));
    await sleep(100);
    release();
    const [ea, eb] = await Promise.all([a, b]);
    expect([ea === null, eb === null]).toEqual([false, true]);
    expect(await of('test.once')).toHaveLength(1);
  });

  it('records the closing once, after the opening', async () => {
    const after = new Date(closesAt.getTime() + 1000);
    await Promise.all([1, 2, 3].map(() => recordWindowEvents(tdb.db, el.electionId, after)));
    await recordWindowEvents(tdb.db, el.electionId, after);
    expect((await events()).map((e) => e.action)).toEqual(['election.opened', 'test.once', 'election.closed']);
  });
});

describe('the release of sealed ballots', () => {
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  async function record(contestId: number, n: number) {
    const cands = el.candidates[contestId]!;
    const votes = Array.from({ length: n }, (_, i) => ({ contestId, marks: [cands[i % 4]!], receiptHash: hash(randomUUID()) }));
    await insertSealedBallots(tdb.db, votes.map((v) => ({ contestId, ...parseSealed(sealer.seal(v, 2)) })));
    await insertReceipts(tdb.db, votes.map((v) => ({ hash: v.receiptHash, contestId })), 'recorded');
  }
  const statuses = async (contestId: number) => {
    const { rows } = await sql<{ status: string; n: number }>`select status, count(*)::int n from receipts where contest_id = ${contestId} group by 1`.execute(tdb.db);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  };

  it('records each group: how many, of which contest, never which ballots', async () => {
    const c = el.contests.region[0]!;
    await record(c, 12);
    expect(await releaseGroup({ db: tdb.db, sealer }, c, { min: 5 })).toBe(7);
    expect(await statuses(c)).toEqual({ released: 7, recorded: 5 });
    const released = await of('ballots.released');
    expect(released).toEqual([expect.objectContaining({ actor: { role: 'system', id: 'worker' }, subject: `contest:${c}`, reason: '7 sealed ballots opened and released into the count' })]);
  });

  it('commits the receipts\' release and its event together: a failure after the event\'s insert rolls both back', async () => {
    const c = el.contests.region[1]!;
    await record(c, 10);
    const before = (await events()).length;
    await failAuditCommits(true);
    try {
      await expect(releaseGroup({ db: tdb.db, sealer }, c, { min: 5 })).rejects.toThrow(/injected failure/);
    } finally {
      await failAuditCommits(false);
    }
    // Neither the receipts' change nor the event; the group itself (its own transaction,
    // touching nothing but its rows) is released, and the sweep settles its receipts later.
    expect(await statuses(c)).toEqual({ recorded: 10 });
    expect(await events()).toHaveLength(before);
  });

  it('leaves a chain that still verifies', async () => {
    const verdict = verifyAuditChain(await events());
    expect(verdict).toMatchObject({ ok: true, count: (await events()).length });
  });
});
