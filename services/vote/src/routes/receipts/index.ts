import type { FastifyInstance } from 'fastify';

// Placeholder during development; replaced by the issue that builds these routes.
export default async function routes(_app: FastifyInstance): Promise<void> {}
