import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * The public archive's contents (issue #16), each as CSV text built by Postgres in one
 * statement. A ballots file and a receipts file never share a key: no row pairs a receipt
 * with marks (docs/verification.md).
 */

/**
 * A contest's released ballots, one line of marks each (candidate ids ascending, space
 * separated), in the order of the ballots' random ids: a shuffle unrelated to arrival.
 */
export async function contestBallotsCsv(db: Db, contestId: number): Promise<{ text: string; rows: number }> {
  const { rows } = await sql<{ body: string | null; n: number }>`
    select string_agg(m, E'\n' order by id) as body, count(*)::int as n
    from (select id, coalesce((select string_agg(x::text, ' ' order by x) from unnest(marks) x), '') as m from ballots where contest_id = ${contestId}) b`.execute(db);
  const r = rows[0];
  return { text: `marks\n${r?.n ? `${r.body}\n` : ''}`, rows: r?.n ?? 0 };
}

/**
 * A contest's counted receipts' SHA-256, each with the snapshot N that counted it, ordered by
 * N then hash. Receipts still `counting` are counted by the snapshot being built, `current`.
 */
export async function contestReceiptsCsv(db: Db, contestId: number, current: number): Promise<{ text: string; rows: number }> {
  const { rows } = await sql<{ body: string | null; n: number }>`
    select string_agg(n::text || ',' || h, E'\n' order by n, h) as body, count(*)::int as n
    from (select coalesce(counted_in, ${current}) as n, encode(receipt_hash, 'hex') as h
          from receipts where contest_id = ${contestId} and status in ('counted', 'counting')) r`.execute(db);
  const r = rows[0];
  return { text: `snapshot,receipt_sha256\n${r?.body ? `${r.body}\n` : ''}`, rows: r?.n ?? 0 };
}

/** The accepted paper protocols of these contests: one line per candidate's figure (one with empty candidate and votes for a protocol without any). */
export async function paperProtocolsCsv(db: Db, contestIds: readonly number[]): Promise<{ text: string; rows: number }> {
  const { rows } = await sql<{ body: string | null; n: number }>`
    select string_agg(concat_ws(',', ps.code, pp.contest_id, pp.ballots_cast, pp.ballots_spoiled, v.candidate_id, v.votes), E'\n' order by pp.contest_id, ps.code, v.candidate_id) as body, count(*)::int as n
    from paper_protocols pp
    join polling_stations ps on ps.id = pp.polling_station_id
    left join paper_protocol_votes v on v.protocol_id = pp.id
    where pp.status = 'accepted' and pp.contest_id = any(${[...contestIds]}::int[])`.execute(db);
  const r = rows[0];
  return { text: `station,contest_id,ballots_cast,ballots_spoiled,candidate_id,votes\n${r?.body ? `${r.body}\n` : ''}`, rows: r?.n ?? 0 };
}
