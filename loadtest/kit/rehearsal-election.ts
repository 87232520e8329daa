import { type Kysely, sql } from 'kysely';
import type { Database } from '@primaries/db';

/**
 * The rehearsal election a run makes on a deployment (docs/loadtest.md, "Against a
 * deployment"): its own election, contests and synthetic candidates, so the rehearsal never
 * votes in a real election. Its freeze date is 2 January 1900 and the synthetic members are
 * admitted the day before (population.ts), so no real member is eligible in it: a real
 * member who signs in during the rehearsal is refused, and nothing of theirs is written.
 * Its membership freeze is that one day (freeze_end): a freeze until its close would span
 * every admission since 1900 and stop register imports and status changes while it runs.
 */

/** The run cannot be made here (exit code 2). */
class RehearsalRefused extends Error {
  override name = 'RehearsalRefused';
}

const REHEARSAL_FREEZE_DATE = '1900-01-02';
/** Synthetic members are admitted before the rehearsal's freeze date (and no real one is). */
export const REHEARSAL_ADMITTED = '1900-01-01';

export interface RehearsalElection {
  id: number;
  slug: string;
  contests: number;
}

const CANDIDATES = [
  { letter: 'A', gender: 'F', birth: '1990-01-01' },
  { letter: 'B', gender: 'M', birth: '1975-01-01' },
  { letter: 'C', gender: 'F', birth: '1968-01-01' },
  { letter: 'D', gender: 'M', birth: '1995-01-01' },
] as const;

/**
 * Creates `rehearsal-<run>`, open from a minute ago for `hours`, with the 2020 ballot's
 * shape on the deployment's own places: the national list, one contest per region and one
 * per district, four synthetic candidates each. Refused while any election is open: the
 * vote site serves one election at a time, and a real one must never be displaced.
 */
export async function createRehearsalElection(db: Kysely<Database>, opts: { runId: string; hours: number }): Promise<RehearsalElection> {
  return db.transaction().execute(async (trx) => {
    // Two rehearsals (or an official opening one) at the same moment: one waits for the other.
    await sql`lock table elections in share row exclusive mode`.execute(trx);
    const open = await sql<{ slug: string }>`
      select slug from elections where closed_at is null and opens_at <= now() and closes_at > now() limit 1`.execute(trx);
    if (open.rows[0]) throw new RehearsalRefused(`election "${open.rows[0].slug}" is open on this deployment: a rehearsal runs only where no election is open`);
    const slug = `rehearsal-${opts.runId}`;
    const e = await sql<{ id: number }>`
      insert into elections (slug, name, name_kk, opens_at, closes_at, freeze_date, freeze_end, election_day, results_refresh_seconds)
      values (${slug}, ${`Rehearsal ${opts.runId}`}, ${`Жаттығу ${opts.runId}`}, now() - interval '1 minute',
              now() + make_interval(secs => ${Math.round(opts.hours * 3600)}), ${REHEARSAL_FREEZE_DATE}::date, ${REHEARSAL_FREEZE_DATE}::date, current_date, 60)
      returning id`.execute(trx);
    const id = e.rows[0]!.id;
    const contests = await sql<{ id: number }>`
      insert into contests (election_id, level, region_id, district_id, name, name_kk, seats, max_choices)
      select ${id}::int, 'national', null::int, null::int, 'Rehearsal national list', null::text, 3, 3
      union all
      select ${id}::int, 'region', r.id, null, 'Rehearsal council: ' || r.name, null, 2, 2 from regions r
      union all
      select ${id}::int, 'district', d.region_id, d.id, 'Rehearsal council: ' || d.name, null, 2, 2 from districts d
      returning id`.execute(trx);
    if (contests.rows.length < 2) throw new RehearsalRefused('the deployment has no regions or districts: import its places (election import) before a rehearsal');
    await sql`
      insert into candidates (contest_id, full_name, gender, birth_date, ballot_order)
      select c.id, 'Rehearsal candidate ' || p.letter, p.gender, p.birth::date, p.ord
      from unnest(${contests.rows.map((c) => c.id)}::int[]) as c(id)
      cross join unnest(${CANDIDATES.map((c) => c.letter)}::text[], ${CANDIDATES.map((c) => c.gender)}::text[], ${CANDIDATES.map((c) => c.birth)}::text[])
        with ordinality as p(letter, gender, birth, ord)`.execute(trx);
    return { id, slug, contests: contests.rows.length };
  });
}

/**
 * Removes what the rehearsal election holds: its ballots (sealed and released), receipts,
 * participation, authorizations, candidates and contests. The election row itself goes too,
 * unless the audit trail names it (the worker records the window's opening): the trail is
 * append-only and hash-chained, so the row stays, closed and empty. Returns which.
 */
export async function removeRehearsalElection(db: Kysely<Database>, election: { id: number; slug: string }): Promise<'removed' | 'closed'> {
  if (!election.slug.startsWith('rehearsal-')) throw new Error(`not a rehearsal election: ${election.slug}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(async (trx) => {
        // The worker's release step may be moving a last group into `ballots`: wait for it.
        await sql`select id from contests where election_id = ${election.id} for update`.execute(trx);
        const contests = sql`(select id from contests where election_id = ${election.id})`;
        for (const table of ['receipts', 'sealed_ballots', 'ballots', 'participation', 'candidates'] as const) {
          await sql`delete from ${sql.table(table)} where contest_id in ${contests}`.execute(trx);
        }
        await sql`delete from authorizations where election_id = ${election.id}`.execute(trx);
        await sql`delete from contests where election_id = ${election.id}`.execute(trx);
        const named = await sql`select 1 from audit_events where election_id = ${election.id} limit 1`.execute(trx);
        if (named.rows.length) {
          await sql`update elections set closed_at = coalesce(closed_at, now()) where id = ${election.id}`.execute(trx);
          return 'closed' as const;
        }
        await sql`delete from elections where id = ${election.id}`.execute(trx);
        return 'removed' as const;
      });
    } catch (err) {
      // A foreign key broken by a row written meanwhile (a release that committed first): again.
      if (attempt >= 3 || (err as { code?: string }).code !== '23503') throw err;
    }
  }
}
