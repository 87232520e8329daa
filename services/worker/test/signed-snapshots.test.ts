import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { insertReceipts, insertSealedBallots } from '@primaries/db';
import { createLogger } from '@primaries/logger';
import { GENESIS_SNAPSHOT_HASH, type Snapshot, archiveFileSchema, headerBytes, resultsKeys, sha256Hex, snapshotBodyHash } from '@primaries/results-model';
import { BallotSealer, newBallotKeyEntry, newSigningKeyEntry, parseBallotKeys, parseSealed, parseSigningKey, publicSigningKey, verifyBytes } from '@primaries/sealing';
import { type SmallElection, type TestDatabase, type TestRedis, createSmallElection, createTestDatabase, createTestRedis } from '@primaries/testing';
import { Releaser } from '../src/release/releaser';
import { rebuildResults } from '../src/tally/rebuild';

// Issue #16: every snapshot is signed with the election's key and chained to the one before
// it and to the audit trail; after the close (nothing pending) the public archive's files
// are written and their hashes signed; a counted receipt knows its snapshot N.
let tdb: TestDatabase;
let tr: TestRedis;
let el: SmallElection;
const sealer = new BallotSealer(parseBallotKeys(newBallotKeyEntry('k1')));
const key = parseSigningKey(newSigningKeyEntry('election-1'));
let releaser: Releaser;

beforeAll(async () => {
  tdb = await createTestDatabase('signedsnap');
  tr = await createTestRedis('signedsnap');
  el = await createSmallElection(tdb.db);
  releaser = new Releaser({ db: tdb.db, sealer, min: 3, reserve: 0, log: createLogger('worker', 'silent') });
});
afterAll(async () => {
  await tr.cleanup();
  await tdb.drop();
});

async function record(marks: number[][]): Promise<string[]> {
  const c = el.contests.national;
  const votes = marks.map((m) => ({ contestId: c, marks: m, receiptHash: createHash('sha256').update(randomUUID()).digest('hex') }));
  await insertSealedBallots(tdb.db, votes.map((v) => ({ contestId: c, ...parseSealed(sealer.seal(v, 2)) })));
  await insertReceipts(tdb.db, votes.map((v) => ({ hash: v.receiptHash, contestId: c })), 'recorded');
  return votes.map((v) => v.receiptHash);
}
const rebuild = async () => (await rebuildResults(tdb.db, tr.redis, tr.prefix, { releaser, signer: key })).snapshot!;

function checkSigned(s: Snapshot) {
  const h = s.signed!;
  const bytes = headerBytes(h);
  expect(sha256Hex(bytes)).toBe(h.hash);
  expect(verifyBytes(publicSigningKey(key), bytes, h.signature)).toBe(true);
  // The body as a reader parses it hashes to the header's bodyHash.
  expect(snapshotBodyHash(JSON.parse(JSON.stringify(s)))).toBe(h.bodyHash);
}

it('signs and chains every snapshot, and a counted receipt says which snapshot counted it', async () => {
  const [a, b, c] = el.candidates[el.contests.national]!;
  const first = await record([[a!], [a!, b!], [c!]]);
  const s1 = await rebuild();
  checkSigned(s1);
  expect(s1.signed).toMatchObject({ seq: 1, prevHash: GENESIS_SNAPSHOT_HASH, keyId: 'election-1', archive: null, state: 'open' });
  const s2 = await rebuild();
  checkSigned(s2);
  expect(s2.signed).toMatchObject({ seq: 2, prevHash: s1.signed!.hash });

  const counted = await sql<{ h: string; n: number | null }>`select encode(receipt_hash, 'hex') h, counted_in n from receipts`.execute(tdb.db);
  expect(new Map(counted.rows.map((r) => [r.h, r.n]))).toEqual(new Map(first.map((h) => [h, 1])));
  // The chain is kept in Postgres and published in Redis; the public key beside it.
  const rows = await tdb.db.selectFrom('result_snapshots').select(['seq', 'hash', 'prev_hash']).orderBy('seq').execute();
  expect(rows).toEqual([{ seq: 1, hash: s1.signed!.hash, prev_hash: GENESIS_SNAPSHOT_HASH }, { seq: 2, hash: s2.signed!.hash, prev_hash: s1.signed!.hash }]);
  const keys = resultsKeys(tr.prefix);
  expect(await tr.redis.hkeys(keys.chain(el.electionId))).toEqual(['1', '2']);
  expect(JSON.parse((await tr.redis.hget(keys.keys, 'election-1'))!)).toEqual(publicSigningKey(key));
  expect(await tr.redis.get(keys.archiveManifest(el.electionId))).toBeNull();
});

it('after the close, publishes the archive: shuffled marks per contest, receipts apart, and the header signs the files', async () => {
  const [a, b] = el.candidates[el.contests.national]!;
  const late = await record([[b!], [a!, b!]]);
  await tdb.db.updateTable('elections').set({ closed_at: new Date() }).where('id', '=', el.electionId).execute();
  const s = await rebuild();
  checkSigned(s);
  expect(s.signed!.state).toBe('closed');
  const files = archiveFileSchema.array().parse(s.signed!.archive);
  expect(files.map((f) => f.name)).toContain(`ballots-contest-${el.contests.national}.csv`);
  const keys = resultsKeys(tr.prefix);
  const read = async (name: string) => (await tr.redis.getBuffer(keys.archiveFile(el.electionId, name)))!;
  for (const f of files) {
    const body = await read(f.name);
    expect({ name: f.name, sha256: sha256Hex(body), bytes: body.length }).toEqual({ name: f.name, sha256: f.sha256, bytes: f.bytes });
  }
  const ballots = (await read(`ballots-contest-${el.contests.national}.csv`)).toString().trimEnd().split('\n');
  expect(ballots[0]).toBe('marks');
  expect(ballots.slice(1).sort()).toEqual([`${a}`, `${a} ${b}`, `${el.candidates[el.contests.national]![2]}`, `${b}`, `${a} ${b}`].sort());
  const receipts = (await read(`receipts-contest-${el.contests.national}.csv`)).toString().trimEnd().split('\n');
  expect(receipts[0]).toBe('snapshot,receipt_sha256');
  expect(receipts.slice(1).filter((l) => l.startsWith(`${s.signed!.seq},`)).map((l) => l.split(',')[1]).sort()).toEqual([...late].sort());
  // No file pairs a receipt with marks: the ballots file has marks only.
  expect(ballots.some((l) => /[0-9a-f]{64}/.test(l))).toBe(false);
  const rows = await sql<{ n: number }>`select counted_in n from receipts where receipt_hash = decode(${late[0]!}, 'hex')`.execute(tdb.db);
  expect(rows.rows[0]!.n).toBe(s.signed!.seq);
});
