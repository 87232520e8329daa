import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type Kysely, sql } from 'kysely';
import { type Database, createDb } from '@primaries/db';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
  }
}

/** The Kysely instance as `app.db`, checked by /ready, destroyed with the app. */
export const dbPlugin = fp(
  async (app: FastifyInstance, opts: { url: string; poolMax?: number; service: string; db?: Kysely<Database> }) => {
    const db = opts.db ?? createDb({ url: opts.url, poolMax: opts.poolMax ?? 10, applicationName: opts.service });
    app.decorate('db', db);
    const ping = async () => {
      await sql`select 1`.execute(db);
    };
    app.readiness?.set('postgres', ping);
    // Postgres has no events: once reported away, this probe tells when it is back.
    app.outages.setProbe('postgres', ping);
    app.addHook('onClose', async () => {
      if (!opts.db) await db.destroy();
    });
  },
  { name: 'db', dependencies: ['observability'] },
);
