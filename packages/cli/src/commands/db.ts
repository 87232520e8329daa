import type { Command } from 'commander';
import pg from 'pg';
import { DEFAULT_SERVICE_ROLES, applyServiceGrants, createDb, migrateToLatest, serviceGrantStatements } from '@primaries/db';
import { databaseUrl } from '../env';

/** Creates the database named in the URL when the server has none by that name. */
export async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Creates the database if needed and applies every pending migration. */
export async function migrate(url = databaseUrl()): Promise<string[]> {
  await ensureDatabase(url);
  const db = createDb({ url, poolMax: 2, applicationName: 'primaries-migrate' });
  try {
    const result = await migrateToLatest(db);
    return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  } finally {
    await db.destroy();
  }
}

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('Database schema');
  db.command('migrate')
    .description('Create the database if missing and apply pending migrations')
    .action(async () => {
      const applied = await migrate();
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema is up to date');
    });
  db.command('grants')
    .description("Grant each service's database role what it may do (run after migrate, as the database owner)")
    .option('--vote-role <name>', 'the vote service\'s role', DEFAULT_SERVICE_ROLES.vote)
    .option('--worker-role <name>', 'the worker\'s role', DEFAULT_SERVICE_ROLES.worker)
    .option('--admin-role <name>', 'the admin service\'s role', DEFAULT_SERVICE_ROLES.admin)
    .option('--print', 'print the statements instead of running them')
    .action(async (opts: { voteRole: string; workerRole: string; adminRole: string; print?: boolean }) => {
      const roles = { vote: opts.voteRole, worker: opts.workerRole, admin: opts.adminRole };
      if (opts.print) {
        for (const statement of serviceGrantStatements(roles)) console.log(`${statement};`);
        return;
      }
      const handle = createDb({ url: databaseUrl(), poolMax: 1, applicationName: 'primaries-grants' });
      try {
        await applyServiceGrants(handle, roles);
        console.log(`granted: ${roles.vote} (vote), ${roles.worker} (worker), ${roles.admin} (admin)`);
      } finally {
        await handle.destroy();
      }
    });
}
