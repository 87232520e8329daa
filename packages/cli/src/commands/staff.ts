import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { type StaffRole, STAFF_ROLES, addStaffAccount, createDb, enrolmentLink, pollingStationExists } from '@primaries/db';
import { databaseUrl } from '../env';

/** How long a link from the command line works unless ADMIN_ENROL_TTL_SECONDS says otherwise (the admin service's default). */
const DEFAULT_TTL_SECONDS = 72 * 3600;

function role(v: string): StaffRole {
  if (!(STAFF_ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${STAFF_ROLES.join(', ')}`);
  return v as StaffRole;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
}

function login(v: string): string {
  const s = v.trim().toLowerCase();
  if (!/^[a-z0-9._-]{3,64}$/.test(s)) throw new InvalidArgumentError('3–64 of a-z, 0-9, ".", "_", "-"');
  return s;
}

export interface StaffAddOptions {
  role: StaffRole;
  station?: number;
  login?: string;
}

/** Adds a staff account and answers its one-time enrolment link (what `staff add` prints). */
export async function staffAdd(opts: StaffAddOptions, env: Record<string, string | undefined> = process.env): Promise<{ login: string; id: number; link: string; expiresAt: Date }> {
  if ((opts.role === 'precinct') !== (opts.station !== undefined)) throw new Error('--station is required for --role precinct, and only for it');
  const ttl = env.ADMIN_ENROL_TTL_SECONDS ? positiveInt(env.ADMIN_ENROL_TTL_SECONDS) : DEFAULT_TTL_SECONDS;
  const publicUrl = env.ADMIN_PUBLIC_URL || 'http://admin.localhost:8080/';
  new URL(publicUrl);
  const db = createDb({ url: env.DATABASE_URL || databaseUrl(), poolMax: 2, applicationName: 'primaries-staff-add' });
  try {
    if (opts.station !== undefined && !(await pollingStationExists(db, opts.station))) throw new Error(`no polling station ${opts.station}`);
    const added = await addStaffAccount(db, {
      role: opts.role,
      ...(opts.login ? { login: opts.login } : {}),
      stationId: opts.station ?? null,
      ttlSeconds: ttl,
      actor: { role: 'operator', id: 'cli' },
    });
    return { login: added.staff.login, id: added.staff.id, link: enrolmentLink(publicUrl, added.token), expiresAt: added.expiresAt };
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new Error(`the login ${opts.login} is taken`, { cause: err });
    throw err;
  } finally {
    await db.destroy();
  }
}

/** `primaries staff add --role … [--station ID] [--login NAME]`: the officials' accounts (docs/admin.md). */
export function registerStaffCommands(program: Command): void {
  const staff = program.command('staff').description("Staff accounts of the officials' site");
  staff
    .command('add')
    .description('Create a staff account and print its one-time enrolment link (password and authenticator are set there)')
    .requiredOption('--role <role>', STAFF_ROLES.join(' | '), role)
    .option('--station <id>', 'the polling station of a precinct account', positiveInt)
    .option('--login <name>', 'the login (default: <role>-<6 hex digits>)', login)
    .action(async (opts: StaffAddOptions) => {
      const added = await staffAdd(opts);
      console.log(`staff ${added.id}, login ${added.login}, role ${opts.role}${opts.station ? `, station ${opts.station}` : ''}`);
      console.log(`enrolment link (one use, until ${added.expiresAt.toISOString()}):`);
      console.log(added.link);
    });
}
