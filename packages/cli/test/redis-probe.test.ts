import { loadConfig } from '@primaries/config';
import { type SentinelSetup, freePort, hasRedisServer, startRedisWithSentinel } from '@primaries/testing';
import { probeRedis } from '../src/stack/redis';

// `pnpm start` checks Redis the way the services will reach it: with REDIS_SENTINELS set,
// through the sentinels (REDIS_URL's host is then never used).
const describeIfRedis = hasRedisServer() ? describe : describe.skip;
jest.setTimeout(60_000);

let setup: SentinelSetup | undefined;
beforeAll(async () => {
  if (hasRedisServer()) setup = await startRedisWithSentinel('probe-test');
});
afterAll(async () => {
  await setup?.stop();
});

describeIfRedis('probeRedis through Sentinel', () => {
  const settings = (sentinels: string, name = 'probe-test') =>
    loadConfig('results', { REDIS_URL: 'redis://unreachable.invalid:6379', REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: name });

  it('answers when the sentinels name a live master', async () => {
    expect(await probeRedis(settings(`127.0.0.1:${setup!.ports.sentinel}`))).toBe(true);
  });

  it('fails fast for an unknown master name or sentinels that do not answer', async () => {
    const started = Date.now();
    expect(await probeRedis(settings(`127.0.0.1:${setup!.ports.sentinel}`, 'nobody'))).toBe(false);
    expect(await probeRedis(settings(`127.0.0.1:${await freePort()}`))).toBe(false);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
