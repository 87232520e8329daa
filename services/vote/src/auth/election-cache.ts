import type { Kysely } from 'kysely';
import { type Database, type ElectionForAuth, currentElectionForAuth } from '@primaries/db';

/**
 * The election members authorize for, read at most once per `ttlMs` (a login storm must
 * not turn into an elections-table storm). Concurrent misses share one query.
 */
export class ElectionCache {
  private value: ElectionForAuth | undefined;
  private fetchedAt = 0;
  private pending: Promise<ElectionForAuth | undefined> | null = null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlMs = 5000,
  ) {}

  /** Drops the cached election: the next call reads it again (an organizer changed one). */
  forget(): void {
    this.value = undefined;
    this.fetchedAt = 0;
  }

  async get(): Promise<ElectionForAuth | undefined> {
    if (this.value && Date.now() - this.fetchedAt < this.ttlMs) return this.value;
    this.pending ??= currentElectionForAuth(this.db)
      .then((e) => {
        this.value = e;
        this.fetchedAt = Date.now();
        return e;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
