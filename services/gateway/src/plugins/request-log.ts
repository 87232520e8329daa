import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Logger, safeUrl } from '@primaries/logger';

/**
 * `x-request-id` on every answer, and one JSON log line per request (Fastify's own two
 * request lines are off). No client address, query string or body: the path, host, status,
 * time and cache outcome are enough to follow a request, and hold no personal data.
 */
export const requestLogPlugin = fp(
  async (app: FastifyInstance) => {
    // Callback-style hooks: nothing here awaits, and an async hook costs a promise per request.
    app.addHook('onRequest', (request, reply, done) => {
      reply.header('x-request-id', request.id);
      done();
    });
    app.addHook('onResponse', (request, reply, done) => {
      const level = reply.statusCode >= 500 ? 'error' : 'info';
      // Skip building the line at all when the level is off (LOG_LEVEL=warn in load tests).
      if ((request.log as Partial<Pick<Logger, 'isLevelEnabled'>>).isLevelEnabled?.(level) === false) return done();
      request.log[level](
        {
          method: request.method,
          url: safeUrl(request.originalUrl),
          host: request.headers.host,
          route: request.routeOptions.url,
          statusCode: reply.statusCode,
          responseTime: Math.round(reply.elapsedTime * 10) / 10,
          cache: reply.getHeader('x-cache'),
        },
        'request completed',
      );
      done();
    });
  },
  { name: 'gateway-request-log' },
);
