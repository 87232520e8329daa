import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * Runs `fn` holding the session advisory lock that makes results rebuilds one at a time
 * across every worker process (issue #17): a second rebuild waits for the first, then runs
 * (so a rebuild asked for after a change still sees it). The lock lives on one reserved
 * connection, so a worker that dies mid-rebuild releases it with its connection; `fn` uses
 * the pool's other connections (the pool needs at least two).
 */
export async function withRebuildLock<T>(db: Kysely<Database>, fn: () => Promise<T>): Promise<T> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(hashtext('primaries:tally-rebuild'))`.execute(conn);
    try {
      return await fn();
    } finally {
      await sql`select pg_advisory_unlock(hashtext('primaries:tally-rebuild'))`.execute(conn);
    }
  });
}
