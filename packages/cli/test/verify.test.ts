import type { AddressInfo } from 'node:net';
import { loadConfig } from '@primaries/config';
import { createLogger } from '@primaries/logger';
import { type Snapshot, headerBytes, resultsKeys } from '@primaries/results-model';
import { buildResultsApp } from '@primaries/results/app';
import { newSigningKeyEntry, parseSigningKey, publicSigningKey, signBytes } from '@primaries/sealing';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis } from '@primaries/testing';
import { Releaser } from '@primaries/worker/release';
import { rebuildResults } from '@primaries/worker/tally';
import { verifyCommand } from '../src/commands/verify';
import { addMembers, paperVote, removeCandidate, sealer, voteOnline } from './verify-fixture';

// Issue #16: `primaries verify --url` passes on an honest election and finds each planted
// fault: a ballot altered, a ballot removed, a snapshot re-signed with another key, a gap in
// the chain, a removed candidate still counted.
let tdb: TestDatabase;
let tr: TestRedis;
let el: SmallElection;
const key = parseSigningKey(newSigningKeyEntry('election-1'));
let rebuild: () => Promise<Snapshot>;

beforeAll(async () => {
  tdb = await createTestDatabase('cli_verify');
  tr = await createTestRedis('cli_verify');
  el = await createSmallElection(tdb.db, { maxChoices: 2 });
  const releaser = new Releaser({ db: tdb.db, sealer, min: 1, reserve: 0, log: createLogger('worker', 'silent') });
  rebuild = async () => (await rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser, signer: key })).snapshot!;
  const online = await addMembers(tdb.db, el, 12);
  await voteOnline(tdb.db, el, online.slice(0, 6), (c, i) => (i % 2 ? [c[0]!] : [c[0]!, c[3]!]));
  await rebuild();
  await voteOnline(tdb.db, el, online.slice(6), (c, i) => (i % 3 ? [c[1]!, c[2]!] : [c[2]!]));
  await paperVote(tdb.db, el, await addMembers(tdb.db, el, 2));
  await removeCandidate(tdb.db, el.candidates[el.contests.national]![3]!);
  await rebuild();
  await tdb.db.updateTable('elections').set({ closed_at: new Date() }).where('id', '=', el.electionId).execute();
  const last = await rebuild();
  expect(last.signed!.archive).not.toBeNull();
}, 60_000);
afterAll(async () => {
  await tr.cleanup();
  await tdb.drop();
});

/** Runs the verifier against a results site freshly started on the current Redis contents. */
async function verify(opts: { key?: string[] } = {}) {
  const app = await buildResultsApp(loadConfig('results', { NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix }), { redis: tr.redis });
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await verifyCommand({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`, ...opts });
  } finally {
    await app.close();
  }
}

/** Plants a fault in what the results site publishes, verifies, and puts everything back. */
async function withFault(plant: () => Promise<void>) {
  const names = await tr.redis.keys(`${tr.prefix}:*`);
  const saved = await Promise.all(names.map(async (n) => [n, await tr.redis.dumpBuffer(n)] as const));
  try {
    await plant();
    return await verify();
  } finally {
    await tr.redis.del(...(await tr.redis.keys(`${tr.prefix}:*`)));
    for (const [n, v] of saved) if (v) await tr.redis.restore(n, 0, v, 'REPLACE');
  }
}

const keys = () => resultsKeys(tr.prefix);
const nationalFile = () => keys().archiveFile(el.electionId, `ballots-contest-${el.contests.national}.csv`);
async function current(): Promise<Snapshot> {
  return JSON.parse((await tr.redis.get(keys().version(Number(await tr.redis.get(keys().current)))))!) as Snapshot;
}
const differences = (r: { lines: string[] }) => r.lines.filter((l) => l.startsWith('DIFFERENCE'));

it('passes on an honest election, recounting every contest from the archive', async () => {
  const r = await verify();
  expect(differences(r)).toEqual([]);
  expect(r.ok).toBe(true);
  expect(r.lines.join('\n')).toMatch(/3 signed snapshots/);
  expect(r.lines.join('\n')).toMatch(/36 online ballots recounted/);
  // Pinned to the key printed on the protocols: the same; another key: a difference.
  expect((await verify({ key: [publicSigningKey(key).publicKey] })).ok).toBe(true);
  expect(differences(await verify({ key: [publicSigningKey(parseSigningKey(newSigningKeyEntry('x'))).publicKey] }))).toEqual([expect.stringMatching(/\[keys\] key "election-1" is not one of the keys given/)]);
});

it('finds one ballot altered', async () => {
  const [a, b] = el.candidates[el.contests.national]!;
  const r = await withFault(async () => {
    const text = (await tr.redis.get(nationalFile()))!;
    await tr.redis.set(nationalFile(), text.replace(new RegExp(`^${a}$`, 'm'), `${b}`));
  });
  expect(r.ok).toBe(false);
  expect(differences(r)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/\[archive\] ballots-contest-\d+\.csv: the file's SHA-256 is not the one the snapshot signed/),
      expect.stringMatching(new RegExp(`\\[tally\\] contest ${el.contests.national} .*candidate ${a} .*online votes published \\d+, recounted`)),
    ]),
  );
});

it('finds one ballot removed', async () => {
  const r = await withFault(async () => {
    const lines = (await tr.redis.get(nationalFile()))!.split('\n');
    lines.splice(1, 1);
    await tr.redis.set(nationalFile(), lines.join('\n'));
  });
  expect(differences(r)).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/\[archive\] ballots-contest-\d+\.csv: the file's SHA-256/),
      expect.stringMatching(new RegExp(`\\[tally\\] contest ${el.contests.national} .*online ballots published 12, recounted 11`)),
      expect.stringMatching(new RegExp(`\\[archive\\] contest ${el.contests.national}: 12 counted receipts but 11 ballots`)),
    ]),
  );
});

it('finds a snapshot re-signed with another key', async () => {
  const other = parseSigningKey(newSigningKeyEntry('election-1'));
  const r = await withFault(async () => {
    const s = await current();
    const forged = { ...s.signed!, signature: signBytes(other, headerBytes(s.signed!)) };
    await tr.redis.set(keys().version(s.version), JSON.stringify({ ...s, signed: forged }));
    await tr.redis.hset(keys().chain(el.electionId), String(forged.seq), JSON.stringify(forged));
  });
  expect(differences(r)).toEqual([expect.stringMatching(/\[chain\] snapshot 3: the signature is not key "election-1"'s/)]);
});

it('finds a gap in the chain', async () => {
  const r = await withFault(async () => {
    await tr.redis.hdel(keys().chain(el.electionId), '2');
  });
  expect(differences(r)).toEqual([expect.stringMatching(/\[chain\] snapshot 2 missing: found 3 after 1/)]);
});

it('finds a removed candidate still counted', async () => {
  const removed = el.candidates[el.contests.national]![3]!;
  // The count forgets the removal (the candidate back to active): the snapshot is genuinely
  // signed, but the audit trail says the candidate was removed.
  await tdb.db.updateTable('candidates').set({ status: 'active', removed_at: null }).where('id', '=', removed).execute();
  await rebuild();
  const r = await verify();
  expect(r.ok).toBe(false);
  expect(differences(r)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`\\[removed\\] candidate ${removed} .*was removed \\(audit trail\\) but is still on the results as active`))]));
});
