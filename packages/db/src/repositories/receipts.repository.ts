import { type Kysely, type Transaction, sql } from 'kysely';
import type { Database } from '../database';
import type { ReceiptStatus } from '../tables/vote.table';

type Db = Kysely<Database> | Transaction<Database>;

/** A receipt to record: the SHA-256 (hex) of one contest ballot's receipt, and its contest. */
export interface NewReceipt {
  hash: string;
  contestId: number;
}

/**
 * Records receipts with a status, in one statement; a receipt already there keeps its own
 * (a replayed batch). Never called in the transaction that writes the ballots they stand for.
 */
export async function insertReceipts(db: Db, receipts: readonly NewReceipt[], status: ReceiptStatus): Promise<void> {
  if (receipts.length === 0) return;
  await sql`
    insert into receipts (receipt_hash, contest_id, status)
    select decode(h, 'hex'), c, ${status} from unnest(${receipts.map((r) => r.hash)}::text[], ${receipts.map((r) => r.contestId)}::int[]) as t(h, c)
    on conflict (receipt_hash) do nothing`.execute(db);
}

/** Which of these receipt hashes (hex) are recorded, whatever their status. */
export async function knownReceiptHashes(db: Db, hashes: readonly string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  // A join with the list (not `= any(array(…))`, which Postgres checks row by row, unhashed).
  const { rows } = await sql<{ h: string }>`
    select encode(r.receipt_hash, 'hex') as h from unnest(${[...hashes]}::text[]) as x(h) join receipts r on r.receipt_hash = decode(x.h, 'hex')`.execute(db);
  return new Set(rows.map((r) => r.h));
}

/** The status of one receipt (hash hex), or null when Postgres has never recorded it. */
export async function receiptStatus(db: Db, hash: string): Promise<ReceiptStatus | null> {
  const { rows } = await sql<{ status: ReceiptStatus }>`select status from receipts where receipt_hash = decode(${hash}, 'hex')`.execute(db);
  return rows[0]?.status ?? null;
}

/** After a release committed: the group's receipts say released. Returns how many changed. */
export async function markReceiptsReleased(db: Db, hashes: readonly string[]): Promise<number> {
  if (hashes.length === 0) return 0;
  // Looked up by the primary key (= any of the decoded list): a join with the list made
  // Postgres read and hash the whole table for every release group (issue #9).
  const r = await sql`
    update receipts r set status = 'released'
    where r.receipt_hash = any(array(select decode(h, 'hex') from unnest(${[...hashes]}::text[]) as x(h))) and r.status = 'recorded'`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** Contests that have receipts still `recorded` (candidates for the sweep). */
export async function contestsWithRecordedReceipts(db: Db): Promise<number[]> {
  const { rows } = await sql<{ contest_id: number }>`select distinct contest_id from receipts where open and status = 'recorded'`.execute(db);
  return rows.map((r) => r.contest_id);
}

/**
 * The sweep: in these contests, every `recorded` receipt whose sealed ballot is no longer
 * pending (its hash is not among `pending`) was released. Run in a repeatable-read
 * transaction that also read the pending ballots. Returns how many changed.
 */
export async function markReleasedExcept(db: Db, contestIds: readonly number[], pending: readonly string[]): Promise<number> {
  if (contestIds.length === 0) return 0;
  const r = await sql`
    update receipts r set status = 'released'
    where r.open and r.status = 'recorded' and r.contest_id = any(${[...contestIds]}::int[])
      and not exists (select 1 from unnest(${[...pending]}::text[]) as x(h) where decode(x.h, 'hex') = r.receipt_hash)`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * Before a tally is built: every released receipt is about to be counted. Returns how many.
 * (A receipt released while the tally runs stays `released` until the next one.)
 */
export async function beginCountingReceipts(db: Db): Promise<number> {
  const r = await sql`update receipts set status = 'counting' where open and status = 'released'`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/** After a tally is published: the receipts it counted say so. Returns how many. */
export async function finishCountingReceipts(db: Db): Promise<number> {
  const r = await sql`update receipts set status = 'counted' where open and status = 'counting'`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
