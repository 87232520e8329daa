import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';

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
      transform: jsonSchemaTransform,
    });
    await app.register(swaggerUi, { routePrefix: '/docs', logLevel: 'warn' });
  },
  { name: 'docs' },
);
