import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizePhone } from '@primaries/domain';
import { readOutbox } from '@primaries/redis-protocols';

const messages = z.object({
  messages: z.array(z.object({ to: z.string(), text: z.string(), sentAt: z.string() })),
});

/**
 * GET /api/v1/dev/sms?phone=+77…: the local SMS outbox, newest first, for demos, tests
 * and load tests. app.ts registers it only when SMS_PROVIDER=outbox outside production.
 */
export default async function devRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const codes = app.config.PHONE_MOBILE_CODES;
  const query = z.object({
    phone: z.string().max(32).refine((p) => normalizePhone(p, codes) !== null, 'not a Kazakh mobile number'),
  });
  app.get(
    '/sms',
    { schema: { summary: 'Messages the outbox SMS provider "sent" to a number (development only)', querystring: query, response: { 200: messages } } },
    async (request) => ({ messages: await readOutbox(app.redis, app.redisPrefix, normalizePhone(request.query.phone, codes)!) }),
  );
}
