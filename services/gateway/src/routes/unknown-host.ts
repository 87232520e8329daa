import type { FastifyInstance } from 'fastify';
import { GatewayErrors } from '../errors';

/** Any Host that is neither VOTE_HOST nor RESULTS_HOST: 404 GATEWAY_ERR_UNKNOWN_HOST, no upstream touched. */
export default async function unknownHost(app: FastifyInstance) {
  app.all('/*', { schema: { hide: true } }, async () => {
    throw new GatewayErrors.UNKNOWN_HOST();
  });
}
