import closeWithGrace from 'close-with-grace';
import Fastify from 'fastify';
import { DEVELOPMENT_BALLOT_KEY_ID, DEVELOPMENT_SIGNING_KEY_ID, loadConfig } from '@primaries/config';
import { createDb } from '@primaries/db';
import { createLogger, loggerOptions } from '@primaries/logger';
import { bullPrefix, workerConnection } from '@primaries/queue';
import { baseServerOptions, errorShapeOptions, dbPlugin, errorHandlerPlugin, observabilityPlugin, redisPlugin, redisScriptsPlugin } from '@primaries/service-kit';
import type { Redis } from 'ioredis';
import type { Running, WorkerContext } from './context';
import { startProcessors } from './processors';

async function main() {
  const config = loadConfig('worker');
  const log = createLogger('worker', config.LOG_LEVEL);
  if (config.RESULTS_SIGNING_KEY?.id === DEVELOPMENT_SIGNING_KEY_ID) {
    log.warn('RESULTS_SIGNING_KEY is not set: results snapshots are signed with the publicly known development key (never for a real election)');
  }
  if (config.BALLOT_KEYS[0]?.id === DEVELOPMENT_BALLOT_KEY_ID) {
    log.warn('BALLOT_KEYS is not set: sealed ballots open with the publicly known development key (never for a real election)');
  }
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: 'worker' });

  // /health, /ready and /metrics for the worker, on its own small port.
  const http = Fastify({ ...baseServerOptions(), ...errorShapeOptions('WORKER'), logger: loggerOptions('worker', config.LOG_LEVEL) });
  await http.register(errorHandlerPlugin, { prefix: 'WORKER' });
  await http.register(observabilityPlugin, { service: 'worker' });

  const connections: Redis[] = [];
  const connection = () => {
    const c = workerConnection(config);
    // Redis going away is logged once (http.outages); the shared client logs it coming back.
    c.on('error', (err) => http.outages.report('redis', err));
    connections.push(c);
    return c;
  };
  const redis = connection();
  await http.register(redisPlugin, { connection: config, prefix: config.REDIS_PREFIX, client: redis });
  await http.register(redisScriptsPlugin);
  await http.register(dbPlugin, { url: config.DATABASE_URL, service: 'worker', db });
  // Scripts loaded before any processor runs.
  await http.ready();

  const ctx: WorkerContext = { config, db, log, metrics: http.metrics, outages: http.outages, bullPrefix: bullPrefix(config.REDIS_PREFIX), connection, redis };
  const running: Running[] = await startProcessors(ctx);
  await http.listen({ port: config.WORKER_PORT, host: config.WORKER_BIND });
  log.info({ processors: running.map((r) => r.name) }, 'worker started');

  // Close the workers first (finishing their current jobs), then the database, then Redis.
  closeWithGrace({ delay: 30_000 }, async ({ signal, err }) => {
    if (err) log.error({ err }, 'closing after an error');
    else log.info({ signal }, 'closing');
    await Promise.all(running.map((r) => r.close()));
    await http.close();
    await db.destroy();
    for (const c of connections) c.disconnect();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
