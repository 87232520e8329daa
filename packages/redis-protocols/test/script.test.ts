import { Redis } from 'ioredis';
import { type OwnRedis, startOwnRedis } from '@primaries/testing';
import { claimContests, ensureScripts, hitAddress, missingScripts, registeredScripts, releaseContests, runScript, defineScript } from '../src';

/**
 * The one script helper. A Redis of the test's own: SCRIPT FLUSH would empty the shared
 * server's script cache for every other test.
 */
let server: OwnRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startOwnRedis();
  // As the services' request path builds it: fail fast, auto-pipelined.
  redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true });
  await new Promise((r) => redis.once('ready', r));
});
afterAll(async () => {
  redis.disconnect();
  await server.destroy();
});

const ballot = (memberId: string, receiptHash = 'a'.repeat(64)) => ({ electionId: 1, memberId, contestIds: [1, 2], receiptHashes: [receiptHash, receiptHash.replace(/^./, 'f')] });

it('registers every script of the package once, each with its SHA-1', () => {
  const names = registeredScripts().map((s) => s.name);
  expect(names).toEqual(expect.arrayContaining(['voted-claim', 'voted-release', 'voted-contests', 'backlog-settle-once', 'sms-take-budget', 'auth-hit', 'auth-issue', 'auth-attempt', 'auth-bind']));
  expect(new Set(names).size).toBe(names.length);
  for (const s of registeredScripts()) expect(s.sha).toMatch(/^[0-9a-f]{40}$/);
  expect(() => defineScript('voted-claim', 1, 'return 1')).toThrow(/defined twice/);
});

it('loads what is missing, and then nothing is', async () => {
  await redis.script('FLUSH');
  expect((await missingScripts(redis)).length).toBe(registeredScripts().length);
  await ensureScripts(redis);
  expect(await missingScripts(redis)).toEqual([]);
});

it('runs a script inside an auto-pipeline batch opened before its first use', async () => {
  await redis.script('FLUSH');
  // The GET opens this tick's batch; the claims join it. With lazily defined commands this
  // was `pipeline[functionName] is not a function`, then a crash.
  const [, a, b] = await Promise.all([redis.get('x'), claimContests(redis, 'p1', ballot('7')), claimContests(redis, 'p1', ballot('7', 'b'.repeat(64)))]);
  expect([a, b]).toEqual([null, { contestId: 1, provisionalForMs: null }]);
});

it('falls back on NOSCRIPT: loads the script again and retries, once for many callers', async () => {
  await ensureScripts(redis);
  await redis.script('FLUSH');
  const out = await Promise.all(Array.from({ length: 20 }, (_, i) => hitAddress(redis, 'p2', `10.0.0.${i}`, 5)));
  expect(out).toEqual(Array.from({ length: 20 }, () => 0));
  await releaseContests(redis, 'p2', ballot('8'));
});

it('surfaces a script error other than NOSCRIPT as it is', async () => {
  const bad = registeredScripts().find((s) => s.name === 'auth-hit')!;
  await expect(runScript(redis, bad, ['k'], ['not-a-number', 'x'])).rejects.toThrow();
  await expect(runScript(redis, bad, [], [])).rejects.toThrow(/takes 1 keys/);
});
