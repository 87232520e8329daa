import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Statuses this route answers besides its declared responses and COMMON_ERROR_STATUSES
     * (e.g. 401, 403, 409, 422; 304 for a conditional GET): listed in its OpenAPI document.
     */
    statuses?: readonly number[];
  }
}

/**
 * Statuses any route may answer, and so every route's OpenAPI document lists: refusals
 * before the route runs (400 malformed or invalid, 404, 408, 413, 414, 415, 431), the
 * gateway's (429 rate limit; 502/503/504 upstream failures) and 500/503 of a service.
 */
export const COMMON_ERROR_STATUSES = [400, 404, 408, 413, 414, 415, 429, 431, 500, 502, 503, 504] as const;

/** The error body every error answer has (errors.ts), as JSON Schema for the documents. */
const ERROR_RESPONSE = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', pattern: '^[A-Z]+_ERR_[A-Z0-9_]+$' }, message: { type: 'string' }, details: {} },
      additionalProperties: true,
    },
  },
} as const;

type TransformArg = Parameters<typeof jsonSchemaTransform>[0];

/** jsonSchemaTransform, plus every status the route can answer (contract test: hostile input suite). */
function withStatuses(arg: TransformArg) {
  const out = jsonSchemaTransform(arg);
  const schema = (out.schema ?? {}) as { response?: Record<string, unknown> };
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  const extra = (arg.route as { config?: { statuses?: readonly number[] } }).config?.statuses ?? [];
  for (const status of [...extra, ...COMMON_ERROR_STATUSES]) {
    if (response[status] !== undefined || response[String(status)] !== undefined) continue;
    const description = STATUS_CODES[status] ?? String(status);
    response[status] = status >= 400 ? { description, ...ERROR_RESPONSE } : status === 304 || status === 204 ? { description, type: 'null' } : { description };
  }
  return { ...out, schema: { ...schema, response } };
}

/**
 * zod validation/serialization for routes, and OpenAPI generated from the same schemas:
 * the spec at /docs/json, a browsable page at /docs. Register before the routes.
 */
export const docsPlugin = fp(
  async (app: FastifyInstance, opts: { title: string; description: string; version?: string }) => {
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(swagger, {
      openapi: {
        info: { title: opts.title, description: opts.description, version: opts.version ?? '1.0.0' },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      transform: withStatuses,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' });
  },
  { name: 'docs' },
);
