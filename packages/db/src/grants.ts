import { type Kysely, sql } from 'kysely';
import type { Database } from './database';

/**
 * What each service's Postgres role may do (docs/deploy.md, "Database roles"). Every role
 * reads every table; writes are granted table by table, so that only the worker and the
 * admin service can write the ballots' tables. The results service and the gateway have no
 * role at all. Run after every migration (the migration Job does): new tables become
 * readable, and nothing a role was not granted here survives.
 */

export interface ServiceRoles {
  vote: string;
  worker: string;
  admin: string;
}

/** The role names the Kubernetes manifests create (CloudNativePG managed roles). */
export const DEFAULT_SERVICE_ROLES: ServiceRoles = { vote: 'primaries_vote', worker: 'primaries_worker', admin: 'primaries_admin' };

/** Tables each role may write, by statement, beyond reading all. */
export const ROLE_WRITES: Record<'vote' | 'worker', Record<'insert' | 'update' | 'delete', readonly string[]>> = {
  /** A login is recorded by the vote site; ballots go through the queue to the worker. */
  vote: { insert: ['authorizations'], update: [], delete: [] },
  /**
   * The worker records ballots (who took part; the sealed ballot; the receipt and its
   * status), remembers which votes of a batch it recorded until the batch is done, and
   * releases sealed ballots into `ballots` (deleting the sealed copies; issue #9), and
   * appends lifecycle events to the audit trail (issue #12: append only, like the admin),
   * writes each contest's protocol once when results are published (issue #13), stores the
   * complaints the results site queues with their evidence (issue #14), and appends each signed
   * snapshot to the chain of record (issue #16).
   */
  worker: {
    insert: ['participation', 'sealed_ballots', 'ballots', 'receipts', 'recorded_vote_batches', 'audit_events', 'protocols', 'complaints', 'complaint_evidence', 'result_snapshots'],
    update: ['receipts'],
    delete: ['sealed_ballots', 'recorded_vote_batches'],
  },
};

/** Kysely's own bookkeeping: no service reads or writes it. */
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/** The GRANT and REVOKE statements for these roles, in order (printable; docs/deploy.md shows them). */
export function serviceGrantStatements(roles: ServiceRoles = DEFAULT_SERVICE_ROLES): string[] {
  const all = [roles.vote, roles.worker, roles.admin].map(ident).join(', ');
  const out = [
    `revoke all on all tables in schema public from ${all}`,
    `revoke all on all sequences in schema public from ${all}`,
    `grant usage on schema public to ${all}`,
    `grant select on all tables in schema public to ${all}`,
  ];
  for (const service of ['vote', 'worker'] as const) {
    for (const verb of ['insert', 'update', 'delete'] as const) {
      const tables = ROLE_WRITES[service][verb];
      if (tables.length) out.push(`grant ${verb} on ${tables.map(ident).join(', ')} to ${ident(roles[service])}`);
    }
  }
  // The officials' service manages the election, the register, paper protocols and complaints.
  out.push(`grant insert, update, delete on all tables in schema public to ${ident(roles.admin)}`);
  out.push(`grant usage on all sequences in schema public to ${ident(roles.admin)}`);
  out.push(`revoke update, delete on ${ident('audit_events')} from ${ident(roles.admin)}`);
  out.push(`revoke all on ${MIGRATION_TABLES.map(ident).join(', ')} from ${all}`);
  return out;
}

/** Applies serviceGrantStatements in one transaction; the roles must exist. Safe to repeat. */
export async function applyServiceGrants(db: Kysely<Database>, roles: ServiceRoles = DEFAULT_SERVICE_ROLES): Promise<void> {
  const existing = await sql<{ rolname: string }>`select rolname from pg_roles where rolname in (${sql.join([roles.vote, roles.worker, roles.admin])})`.execute(db);
  const missing = [roles.vote, roles.worker, roles.admin].filter((r) => !existing.rows.some((row) => row.rolname === r));
  if (missing.length) throw new Error(`no such database role: ${missing.join(', ')} (create them first: docs/deploy.md, "Database roles")`);
  const migrated = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = any(${MIGRATION_TABLES})`.execute(db);
  if (migrated.rows[0]?.n !== MIGRATION_TABLES.length) throw new Error('the schema is not migrated yet: run db migrate first');
  await db.transaction().execute(async (trx) => {
    for (const statement of serviceGrantStatements(roles)) await sql.raw(statement).execute(trx);
  });
}

/** A quoted SQL identifier. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
