import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

/**
 * A stand-in for the results service in the gateway benchmark: one JSON document served
 * from memory with an ETag and a Cache-Control lifetime, identity or gzip as negotiated,
 * 304 on a matching If-None-Match — what the results service does, minus its snapshot logic.
 */
async function main() {
  const file = process.env.BENCH_FILE ?? '';
  const port = Number(process.env.BENCH_PORT ?? 0);
  const identity = readFileSync(file);
  const gzip = readFileSync(`${file}.gz`);
  const etag = `"bench-${identity.length}"`;
  const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
  app.get('/*', async (request, reply) => {
    reply.header('etag', etag).header('cache-control', 'public, max-age=30').header('vary', 'Accept-Encoding').type('application/json');
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) return reply.header('content-encoding', 'gzip').send(gzip);
    return reply.send(identity);
  });
  await app.listen({ port, host: '127.0.0.1' });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
