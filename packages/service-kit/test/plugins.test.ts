import Fastify from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type TestDatabase, type TestRedis, createTestDatabase, createTestRedis } from '@primaries/testing';
import { dbPlugin, defineError, docsPlugin, errorHandlerPlugin, observabilityPlugin, redisPlugin } from '../src';

const Teapot = defineError('TEST_ERR_TEAPOT', 'I am a teapot: %s', 418);

let t: TestDatabase;
let r: TestRedis;
beforeAll(async () => {
  t = await createTestDatabase('kit');
  r = await createTestRedis('kit');
});
afterAll(async () => {
  await t.drop();
  await r.cleanup();
});

async function build() {
  const app = Fastify();
  await app.register(errorHandlerPlugin, { prefix: 'TEST' });
  await app.register(observabilityPlugin, { service: 'test' });
  await app.register(docsPlugin, { title: 'test', description: 'test' });
  await app.register(redisPlugin, { connection: r.url, prefix: r.prefix, client: r.redis });
  await app.register(dbPlugin, { url: t.url, service: 'test', db: t.db });
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/echo', { schema: { body: z.object({ n: z.number().int() }) } }, async (req) => ({ n: req.body.n }));
  typed.get('/teapot', async () => {
    throw new Teapot('short and stout');
  });
  typed.get('/boom', async () => {
    throw new Error('secret internals');
  });
  await app.ready();
  return app;
}

describe('service-kit plugins', () => {
  it('serves health, readiness with real checks, metrics and docs', async () => {
    const app = await build();
    expect((await app.inject('/health')).json()).toEqual({ status: 'ok', service: 'test' });
    const ready = await app.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ redis: 'ok', postgres: 'ok' });
    await app.inject('/health');
    const metrics = await app.inject('/metrics');
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    const spec = (await app.inject('/docs/json')).json();
    expect(Object.keys(spec.paths)).toContain('/echo');
    await app.close();
  });

  it('reports not ready when a dependency is down', async () => {
    const app = await build();
    app.readiness.set('broken', async () => {
      throw new Error('unreachable');
    });
    const ready = await app.inject('/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.broken).toBe('unreachable');
    await app.close();
  });

  it('maps errors to stable codes, hiding 5xx messages', async () => {
    const app = await build();
    const bad = await app.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('TEST_ERR_VALIDATION');
    const malformed = await app.inject({ method: 'POST', url: '/echo', payload: '{"n":', headers: { 'content-type': 'application/json' } });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('TEST_ERR_VALIDATION');
    const teapot = await app.inject('/teapot');
    expect(teapot.statusCode).toBe(418);
    expect(teapot.json()).toEqual({ error: { code: 'TEST_ERR_TEAPOT', message: 'I am a teapot: short and stout' } });
    const boom = await app.inject('/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toEqual({ error: { code: 'TEST_ERR_INTERNAL', message: 'Internal error' } });
    const missing = await app.inject('/nowhere?phone=1');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('TEST_ERR_NOT_FOUND');
    expect(missing.body).not.toContain('phone');
    await app.close();
  });
});
