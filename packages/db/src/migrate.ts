import { type Kysely, type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely';
import * as initial from './migrations/2026-11-21T0000-initial';
import * as receipts from './migrations/2026-12-03T0200-receipts';
import * as sealedBallots from './migrations/2026-12-03T0210-sealed-ballots';
import * as receiptsHotUpdates from './migrations/2026-12-03T0220-receipts-hot-updates';
import * as staffAudit from './migrations/2026-12-03T0300-staff-audit';
import * as candidateNameKk from './migrations/2026-12-03T0400-candidate-name-kk';
import * as auditLifecycle from './migrations/2026-12-03T0800-audit-lifecycle';
import * as control from './migrations/2026-12-03T1200-control';
import * as lifecycle from './migrations/2026-12-03T1000-lifecycle';
import * as freezeWindow from './migrations/2026-12-03T1100-freeze-window';
import * as paper from './migrations/2026-12-03T1300-paper';
import * as signedSnapshots from './migrations/2026-12-03T1400-signed-snapshots';

// Migrations are listed here rather than read from disk, so they run the same under
// tsx, jest and a bundled build. Names sort by timestamp.
const migrations: Record<string, Migration> = {
  '2026-11-21T0000-initial': initial,
  '2026-12-03T0200-receipts': receipts,
  '2026-12-03T0210-sealed-ballots': sealedBallots,
  '2026-12-03T0220-receipts-hot-updates': receiptsHotUpdates,
  '2026-12-03T0300-staff-audit': staffAudit,
  '2026-12-03T0400-candidate-name-kk': candidateNameKk,
  '2026-12-03T0800-audit-lifecycle': auditLifecycle,
  '2026-12-03T1200-control': control,
  '2026-12-03T1000-lifecycle': lifecycle,
  '2026-12-03T1100-freeze-window': freezeWindow,
  '2026-12-03T1300-paper': paper,
  '2026-12-03T1400-signed-snapshots': signedSnapshots,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** Brings the schema to the latest migration; throws with the failing migration's error. */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  // Several lines of work add migrations in parallel; a database migrated on one branch must
  // still take a migration with an earlier name that landed later.
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(), allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${result.error instanceof Error ? result.error.message : JSON.stringify(result.error)}`, { cause: result.error });
  }
  return result;
}
