import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { type ServiceName, loadConfig } from '@primaries/config';
import { type TestDatabase, type TestRedis, createTestDatabase, createTestRedis } from '@primaries/testing';
import { buildGatewayApp } from '@primaries/gateway/app';
import { buildResultsApp } from '@primaries/results/app';
import { buildVoteApp } from '@primaries/vote/app';
import { buildAdminApp } from '@primaries/admin/app';
import { observabilityPlugin } from '@primaries/service-kit';
import { containerEnv, probePaths, probeTarget } from './check-services';
import { type Container, type Probe, ROOT, find, hasKubectl, podTemplate, render } from './manifests';

/**
 * The probes of the production manifests, sent to the real apps built with the manifests'
 * own environment (production mode; only the stores are the test's): a probe on a path
 * that answers 404, or that production refuses (403), would keep every pod unready, or
 * restart it forever.
 */
const kubectl = hasKubectl();
if (!kubectl && process.env.CI) throw new Error('kubectl is not installed (.ci/run installs kubernetes-client)');
const describeIfKubectl = kubectl ? describe : describe.skip;
const objs = kubectl ? render('production') : [];
const containerOf = (service: ServiceName): Container => podTemplate(find(objs, 'Deployment', service)!)!.spec.containers[0]!;

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
  const manifest = containerEnv(objs, service, containerOf(service), []);
  // The manifests' settings, with this test's Postgres and Redis (reached directly, not through sentinels).
  const { REDIS_SENTINELS: _s, REDIS_SENTINEL_PASSWORD: _p, ...rest } = manifest;
  const env = { ...rest, LOG_LEVEL: 'silent', REDIS_URL: tr.url, REDIS_PREFIX: tr.prefix, ...(rest.DATABASE_URL ? { DATABASE_URL: tdb.url } : {}) };
  let app: FastifyInstance;
  if (service === 'gateway') app = await buildGatewayApp(loadConfig('gateway', env));
  else if (service === 'vote') app = await buildVoteApp(loadConfig('vote', env));
  else if (service === 'results') app = await buildResultsApp(loadConfig('results', env));
  else if (service === 'admin') app = await buildAdminApp(loadConfig('admin', env));
  else {
    // The worker has no app builder: its main.ts serves the shared observability plugin.
    expect(readFileSync(path.join(ROOT, 'services/worker/src/main.ts'), 'utf8')).toMatch(/register\(observabilityPlugin, \{ service: 'worker' \}\)/);
    app = Fastify();
    await app.register(observabilityPlugin, { service: 'worker' });
  }
  apps.push(app);
  return app;
}

/**
 * A probe as kubelet runs it: an httpGet is a GET with the pod's address as Host and the
 * probe's own headers; an exec probe runs its command, with the container's environment,
 * against the app listening on a port of its own (put in place of the manifest's).
 */
async function probe(service: ServiceName, app: FastifyInstance, p: Probe | undefined): Promise<{ path: string | undefined; ok: boolean }> {
  const c = containerOf(service);
  const target = p ? probeTarget(c, p) : undefined;
  if (!p || !target?.path) return { path: undefined, ok: false };
  if (p.httpGet) {
    const headers = Object.fromEntries((p.httpGet.httpHeaders ?? []).map((h) => [h.name.toLowerCase(), h.value]));
    const res = await app.inject({ url: target.path, headers: { host: '10.244.0.7:8080', ...headers } });
    return { path: target.path, ok: res.statusCode >= 200 && res.statusCode < 400 };
  }
  if (!app.server.listening) await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const [cmd, ...args] = p.exec!.command.map((a) => a.replace(`127.0.0.1:${target.port}`, `127.0.0.1:${port}`));
  const env = containerEnv(objs, service, c, []);
  // Asynchronously: the app answering the probe runs in this process.
  const ok = await new Promise<boolean>((resolve) => {
    execFile(cmd!, args, { env: { PATH: process.env.PATH, ...env }, timeout: (p.timeoutSeconds ?? 1) * 4000 }, (err) => resolve(!err));
  });
  return { path: target.path, ok };
}

describeIfKubectl('probes of the Kubernetes manifests', () => {
  it.each(['gateway', 'vote', 'results', 'worker', 'admin'] as const)('%s answers its liveness and readiness probes', async (service) => {
    const app = await build(service);
    const c = containerOf(service);
    const { health, ready } = probePaths(service);
    expect(await probe(service, app, c.livenessProbe)).toEqual({ path: health, ok: true });
    // Kubelet asks again every periodSeconds until the pod is ready: an app whose Redis client
    // is still connecting is rightly not ready yet, and becomes ready within a few seconds.
    let readiness = await probe(service, app, c.readinessProbe);
    for (const end = Date.now() + 10_000; !readiness.ok && Date.now() < end; ) {
      await new Promise((r) => setTimeout(r, 250));
      readiness = await probe(service, app, c.readinessProbe);
    }
    expect(readiness).toEqual({ path: ready, ok: true });
  });
});
