import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DEVELOPMENT_BALLOT_KEY_ID } from '@primaries/config';
import { BallotSealer, type Sealer } from '@primaries/sealing';

declare module 'fastify' {
  interface FastifyInstance {
    /** Seals each contest ballot before it is queued (BALLOT_KEYS' first key). */
    ballotSealer: Sealer;
  }
}

/**
 * The ballot sealer as `app.ballotSealer`, from BALLOT_KEYS (issue #9, docs/secrecy.md).
 * Warns when the services run with the publicly known development key.
 */
export const ballotSealerPlugin = fp(
  async (app: FastifyInstance, opts: { sealer?: Sealer }) => {
    const keys = app.config.BALLOT_KEYS;
    if (!opts.sealer && keys[0]?.id === DEVELOPMENT_BALLOT_KEY_ID) {
      app.log.warn('BALLOT_KEYS is not set: ballots are sealed with the publicly known development key (never for a real election)');
    }
    app.decorate('ballotSealer', opts.sealer ?? new BallotSealer(keys));
  },
  { name: 'ballot-sealer' },
);
