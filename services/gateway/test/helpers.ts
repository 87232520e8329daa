import { createServer } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type GatewayConfig, loadConfig } from '@primaries/config';
import { type TestRedis, createTestRedis } from '@primaries/testing';
import { buildGatewayApp } from '../src/app';

interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Upstream {
  app: FastifyInstance;
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => unknown;

/**
 * A small real upstream on an ephemeral port: records every request it gets, answers with
 * `handler` when given, else echoes what it received as JSON.
 */
export async function startUpstream(name: string, handler?: Handler): Promise<Upstream> {
  const app = Fastify({ keepAliveTimeout: 1000 });
  const seen: SeenRequest[] = [];
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.all('/*', async (request, reply) => {
    const record = { method: request.method, url: request.url, headers: { ...request.headers }, body: (request.body as string | undefined) ?? '' };
    seen.push(record);
    if (handler) return handler(request, reply);
    return { upstream: name, ...record };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { app, url: `http://127.0.0.1:${address.port}`, seen, close: () => app.close() };
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no address');
  return address.port;
}

export interface Harness {
  gateway: FastifyInstance;
  config: GatewayConfig;
  redis: TestRedis;
  close(): Promise<void>;
}

/** A gateway in front of the given upstreams, with its own Redis prefix; env overrides config. */
export async function startGateway(upstreams: { vote: string; results: string }, env: Record<string, string> = {}): Promise<Harness> {
  const redis = await createTestRedis('gateway');
  const config = loadConfig('gateway', {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    VOTE_UPSTREAM: upstreams.vote,
    RESULTS_UPSTREAM: upstreams.results,
    ...env,
  });
  const gateway = await buildGatewayApp(config);
  await gateway.ready();
  return {
    gateway,
    config,
    redis,
    async close() {
      await gateway.close();
      await redis.cleanup();
    },
  };
}

/** Reads one series' value from Prometheus text (sums label sets matching every given label). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) total += Number(m[3]);
  }
  return total;
}
