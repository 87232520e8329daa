import type { Kysely } from 'kysely';
import { type Database, type MemberForAuth, findMembersForAuth } from '@primaries/db';

/**
 * Looks members up by IIN for POST /auth/code, many per query: the lookups asked for in
 * one event-loop tick go to Postgres as one indexed `iin in (…)` query (up to `max` IINs).
 * Under a login storm that is one round trip per tick instead of one per request — the
 * statement parse, the socket write and Postgres's per-statement work are shared. Each
 * caller gets its own member (or undefined) exactly as a single lookup would answer; a
 * failed query fails every lookup it carried. The answer time depends on the tick, not on
 * whether the IIN is a member.
 */
export class MemberLookup {
  private pending = new Map<string, Array<{ resolve: (m: MemberForAuth | undefined) => void; reject: (err: unknown) => void }>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly max = 100,
  ) {}

  find(iin: string): Promise<MemberForAuth | undefined> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => this.flush());
      const waiting = this.pending.get(iin);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(iin, [{ resolve, reject }]);
    });
  }

  private flush(): void {
    const all = [...this.pending];
    this.pending = new Map();
    for (let i = 0; i < all.length; i += this.max) {
      const chunk = all.slice(i, i + this.max);
      findMembersForAuth(
        this.db,
        chunk.map(([iin]) => iin),
      ).then(
        (rows) => {
          const byIin = new Map(rows.map(({ iin, ...member }) => [iin, member]));
          for (const [iin, waiting] of chunk) for (const w of waiting) w.resolve(byIin.get(iin));
        },
        (err: unknown) => {
          for (const [, waiting] of chunk) for (const w of waiting) w.reject(err);
        },
      );
    }
  }
}
