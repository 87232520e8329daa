import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ServiceName, loadConfig } from '@primaries/config';
import { type TestDatabase, type TestRedis, createTestDatabase, createTestRedis } from '@primaries/testing';
import { buildGatewayApp } from '../../services/gateway/src/app';
import { buildResultsApp } from '../../services/results/src/app';
import { buildVoteApp } from '../../services/vote/src/app';
import { observabilityPlugin } from '../../packages/service-kit/src';
import { probePaths } from './check-services';
import { ROOT } from './manifests';

/**
 * The probe paths the manifests use (check-services.ts holds the manifests to probePaths)
 * are served by the real apps: a probe on a path that answers 404 would keep every pod
 * unready, or restart it forever.
 */

let tdb: TestDatabase;
let tr: TestRedis;
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  tdb = await createTestDatabase('probes');
  tr = await createTestRedis('probes');
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await tr.cleanup();
  await tdb.drop();
});

async function build(service: ServiceName): Promise<FastifyInstance> {
  const env = { NODE_ENV: 'test', LOG_LEVEL: 'silent', REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, DATABASE_URL: tdb.url };
  let app: FastifyInstance;
  if (service === 'gateway') app = await buildGatewayApp(loadConfig('gateway', env));
  else if (service === 'vote') app = await buildVoteApp(loadConfig('vote', env));
  else if (service === 'results') app = await buildResultsApp(loadConfig('results', env));
  else {
    // The worker has no app builder: its main.ts serves the shared observability plugin.
    expect(readFileSync(path.join(ROOT, 'services/worker/src/main.ts'), 'utf8')).toMatch(/register\(observabilityPlugin, \{ service: 'worker' \}\)/);
    app = Fastify();
    await app.register(observabilityPlugin, { service: 'worker' });
  }
  apps.push(app);
  return app;
}

describe('probe paths of the Kubernetes manifests', () => {
  it.each(['gateway', 'vote', 'results', 'worker'] as const)('%s serves its liveness and readiness paths', async (service) => {
    const app = await build(service);
    const { health, ready } = probePaths(service);
    // Kubelet sends no Host the gateway knows: its own paths answer on any host.
    const live = await app.inject({ url: health, headers: { host: '10.244.0.7:8080' } });
    expect({ path: health, status: live.statusCode }).toEqual({ path: health, status: 200 });
    const readiness = await app.inject({ url: ready, headers: { host: '10.244.0.7:8080' } });
    expect({ path: ready, status: readiness.statusCode }).toEqual({ path: ready, status: 200 });
  });
});
