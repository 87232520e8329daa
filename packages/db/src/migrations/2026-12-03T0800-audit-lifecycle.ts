import { type Kysely, sql } from 'kysely';

// Issue #12: lifecycle events in the audit trail. Some are recorded once only (the voting
// window opening, closing: appendAuditEventOnce), looked up by action and subject first.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index audit_events_action_subject on audit_events (action, subject)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists audit_events_action_subject`.execute(db);
}
