import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Outages } from './outages';

export type ReadinessCheck = () => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry (one per app, so tests can build several). */
    metrics: Registry;
    /** Dependencies /ready checks (Postgres, Redis…); each throws when unreachable. */
    readiness: Map<string, ReadinessCheck>;
    /** What /ready reports beside its checks without failing on it (the gateway's upstream instances). */
    readinessDetails: Map<string, () => unknown>;
    /** Which stores are away: one log line per transition (outages.ts). */
    outages: Outages;
  }
}

/** /health, /ready and /metrics (prom-client), a request-duration histogram by route, and `app.outages`. */
export const observabilityPlugin = fp(
  async (app: FastifyInstance, opts: { service: string }) => {
    const registry = new Registry();
    registry.setDefaultLabels({ service: opts.service });
    collectDefaultMetrics({ register: registry });
    const duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    app.decorate('metrics', registry);
    app.decorate('readiness', new Map<string, ReadinessCheck>());
    app.decorate('readinessDetails', new Map<string, () => unknown>());
    const outages = new Outages(app.log, registry);
    app.decorate('outages', outages);
    app.addHook('onClose', async () => outages.close());

    // Callback-style: an async hook costs a promise per request for nothing awaited.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });

    const hide = { hide: true };
    app.get('/health', { schema: hide, logLevel: 'warn' }, async () => ({ status: 'ok', service: opts.service }));
    app.get('/ready', { schema: hide, logLevel: 'warn' }, async (_request, reply) => {
      const checks: Record<string, string> = {};
      let ok = true;
      await Promise.all(
        [...app.readiness].map(async ([name, check]) => {
          try {
            await withTimeout(check(), 2000);
            checks[name] = 'ok';
          } catch (err) {
            ok = false;
            checks[name] = (err as Error).message || 'unreachable';
          }
        }),
      );
      const details = Object.fromEntries([...app.readinessDetails].map(([name, report]) => [name, report()]));
      reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', service: opts.service, checks, ...details });
    });
    app.get('/metrics', { schema: hide, logLevel: 'warn' }, async (_request, reply) => {
      reply.header('content-type', registry.contentType).send(await registry.metrics());
    });
  },
  { name: 'observability' },
);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e: unknown) => { clearTimeout(t); reject(e instanceof Error ? e : new Error(String(e))); });
  });
}
