import { Command } from 'commander';
import { loadConfig } from '@primaries/config';
import { registerDbCommands } from './commands/db';
import { registerSeedCommand } from './commands/seed';
import { registerMembersCommands } from './commands/members';
import { registerSmsCommands } from './commands/sms';
import { registerResultsCommands } from './commands/results';
import { registerDeadLetterCommands } from './commands/dead-letters';
import { registerStaffCommands } from './commands/staff';
import { registerAuditCommands } from './commands/audit';
import { registerElectionCommands } from './commands/election';
import { registerStationsCommands } from './commands/stations';
import { registerVerifyCommand } from './commands/verify';
import { databaseUrl } from './env';
import { StoreUnreachable, errorLine, requirePostgres, requireRedis, useStackState } from './stores';

// The stores of a running `pnpm start` when the environment names none (stores.ts).
useStackState();

/** `pnpm primaries <command>`: the operators' command line (docs/running.md, docs/operations.md). */
const program = new Command()
  .name('primaries')
  .description('Operate a primaries election: database, register, SMS outbox, results')
  .showHelpAfterError();

registerDbCommands(program);
registerSeedCommand(program);
registerMembersCommands(program);
registerSmsCommands(program);
registerResultsCommands(program);
registerDeadLetterCommands(program);
registerStaffCommands(program);
registerAuditCommands(program);
registerElectionCommands(program);
registerStationsCommands(program);
registerVerifyCommand(program);

type Store = 'postgres' | 'redis';
/** The stores each command needs, checked before it runs (a command not listed checks none). */
const NEEDS: Record<string, (opts: Record<string, unknown>) => Store[]> = {
  'db migrate': () => ['postgres'],
  'db grants': (o) => (o.print ? [] : ['postgres']),
  seed: () => ['postgres'],
  'members import': () => ['postgres'],
  'election import': () => ['postgres'],
  'election check': () => ['postgres'],
  'stations import': () => ['postgres'],
  'sms tail': () => ['redis'],
  'results rebuild': (o) => (o.direct ? ['postgres', 'redis'] : ['redis']),
  'results show': () => ['redis'],
  'dead-letters list': () => ['redis'],
  'dead-letters retry': () => ['redis'],
  'dead-letters purge': () => ['redis'],
};

program.hook('preAction', async (_program, action) => {
  const names: string[] = [];
  for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
  const needs = NEEDS[names.join(' ')]?.(action.opts()) ?? [];
  if (needs.includes('postgres')) await requirePostgres(databaseUrl());
  if (needs.includes('redis')) await requireRedis(loadConfig('worker'));
});

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof StoreUnreachable ? `primaries: ${err.message}` : errorLine(err));
  process.exit(1);
});
