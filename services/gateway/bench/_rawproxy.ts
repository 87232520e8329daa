import Fastify from 'fastify';
import replyFrom from '@fastify/reply-from';
async function main() {
  const app = Fastify({ logger: false });
  await app.register(replyFrom, { base: 'http://127.0.0.1:18101', undici: { connections: 1000, pipelining: 1 } });
  app.get('/*', (req, reply) => { reply.from(req.url); });
  await app.listen({ port: 18103, host: '127.0.0.1' });
}
main();
