import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { missingScripts, registeredScripts } from '@primaries/redis-protocols';
import { type OwnRedis, startOwnRedis } from '@primaries/testing';
import { observabilityPlugin, redisOptions, redisPlugin, redisScriptsPlugin } from '../src';

/** Scripts are in Redis before an app serves, and /ready is 200 only while they are. Own Redis: SCRIPT FLUSH. */
let server: OwnRedis;
let admin: Redis;
beforeAll(async () => {
  server = await startOwnRedis();
  admin = new Redis(server.url);
});
afterAll(async () => {
  admin.disconnect();
  await server.destroy();
});

async function build() {
  const app = Fastify();
  await app.register(observabilityPlugin, { service: 'test' });
  // The request-path client as production makes it: fail fast, so it must be connected first.
  await app.register(redisPlugin, { connection: server.url, prefix: 'kit' });
  await app.register(redisScriptsPlugin);
  return app;
}

it('loads every script when the app starts, before it answers', async () => {
  await admin.script('FLUSH');
  const app = await build();
  await app.ready();
  expect(await missingScripts(admin)).toEqual([]);
  expect(registeredScripts().length).toBeGreaterThan(0);
  await app.close();
});

it('reloads scripts a Redis lost from /ready', async () => {
  const app = await build();
  await app.ready();
  await admin.script('FLUSH');
  const ready = await app.inject({ url: '/ready' });
  expect(ready.statusCode).toBe(200);
  expect(ready.json().checks['redis-scripts']).toBe('ok');
  expect(await missingScripts(admin)).toEqual([]);
  await app.close();
});

it('starts with Redis away, answers /ready 503, and loads the scripts once Redis is back', async () => {
  await server.stop();
  const app = await build();
  await app.ready();
  expect((await app.inject({ url: '/ready' })).statusCode).toBe(503);
  await server.start();
  await admin.script('FLUSH').catch(() => undefined);
  // The fail-fast client reconnects by itself.
  const deadline = Date.now() + 15_000;
  let status = 0;
  while (Date.now() < deadline && (status = (await app.inject({ url: '/ready' })).statusCode) !== 200) await new Promise((r) => setTimeout(r, 200));
  expect(status).toBe(200);
  expect(await missingScripts(admin)).toEqual([]);
  await app.close();
  expect(redisOptions('request').enableAutoPipelining).toBe(true);
});
