/**
 * The bare baseline of a load-test run, in a process of its own (as the real services
 * are): Fastify validating the same body with the same zod rules, nothing else — no Redis,
 * no Postgres, no queue. Run by spawnBaseline(); prints `PORT <n>` once listening.
 *   tsx lib/baseline-server.ts vote|auth-code
 */
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isValidIin, normalizePhone, voteBodySchema } from '@primaries/domain';

async function main() {
  const kind = process.argv[2];
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  if (kind === 'vote') {
    app.post('/api/v1/votes', { schema: { body: voteBodySchema } }, async (_req, reply) => {
      reply.code(202);
      return { receipt: randomBytes(16).toString('base64url'), status: 'queued' };
    });
  } else if (kind === 'auth-code') {
    const body = z.object({
      iin: z.string().regex(/^\d{12}$/).refine(isValidIin),
      phone: z.string().max(32).refine((p) => normalizePhone(p) !== null),
    });
    app.post('/api/v1/auth/code', { schema: { body } }, async (_req, reply) => {
      reply.code(202);
      return { challengeId: randomBytes(16).toString('base64url'), expiresInSeconds: 300, resendInSeconds: 60 };
    });
  } else {
    throw new Error(`unknown baseline ${kind}`);
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  process.stdout.write(`PORT ${port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
