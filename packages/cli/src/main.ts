import { Command } from 'commander';
import { registerDbCommands } from './commands/db';
import { registerSeedCommand } from './commands/seed';
import { registerMembersCommands } from './commands/members';
import { registerSmsCommands } from './commands/sms';
import { registerResultsCommands } from './commands/results';
import { registerDeadLetterCommands } from './commands/dead-letters';
import { registerStaffCommands } from './commands/staff';

/** `pnpm primaries <command>`: the operators' command line (shared/API.md). */
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

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
