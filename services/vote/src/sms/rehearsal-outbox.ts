import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizePhone } from '@primaries/domain';
import { isRehearsalPhone } from '@primaries/queue';
import { readOutbox } from '@primaries/redis-protocols';

const messages = z.object({
  messages: z.array(z.object({ to: z.string(), text: z.string(), sentAt: z.string() })),
});

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /api/v1/rehearsal/sms?phone=+77009…: what the rehearsal SMS provider delivered to a
 * synthetic member's number, newest first, for `pnpm loadtest` against a rehearsal
 * deployment. app.ts registers it only with SMS_PROVIDER=rehearsal, which production
 * refuses. Without the deployment's REHEARSAL_TOKEN (header `x-rehearsal-token`) it
 * answers as an unknown route; a number outside the rehearsal range is a validation error
 * (the provider never delivers to one, so no real member's code is ever readable here).
 */
export default async function rehearsalOutboxRoutes(parent: FastifyInstance): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const token = app.config.REHEARSAL_TOKEN;
  const codes = app.config.PHONE_MOBILE_CODES;
  const query = z.object({
    phone: z
      .string()
      .max(32)
      .transform((p) => normalizePhone(p, codes) ?? '')
      .refine((p) => isRehearsalPhone(p), 'not a rehearsal number'),
  });
  app.get(
    '/sms',
    {
      schema: { hide: true, querystring: query, response: { 200: messages } },
      // Before validation: without the token the route does not exist for the caller.
      onRequest: async (request, reply) => {
        const given = request.headers['x-rehearsal-token'];
        if (!token || typeof given !== 'string' || !sameSecret(given, token)) return reply.callNotFound();
      },
    },
    async (request) => ({ messages: await readOutbox(app.redis, app.redisPrefix, request.query.phone) }),
  );
}
