import type { FastifyInstance } from 'fastify';
import type { VoteConfig } from '@primaries/config';

/**
 * `app.config` typed as the vote service's settings. The vote and results apps both
 * augment FastifyInstance with a `config` of their own type, and a whole-workspace
 * typecheck merges those declarations, so the property's static type is not reliable.
 */
export function voteConfig(app: FastifyInstance): VoteConfig {
  return (app as unknown as { config: VoteConfig }).config;
}
