import { type Command, InvalidArgumentError } from 'commander';
import { databaseUrl } from '../env';
import { DEFAULT_CSV_PATH, seedDemo } from '../seed';

function integer(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer`);
    return n;
  };
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('must be a positive number');
  return n;
}

/** `pnpm seed`: the demo election and register (docs/register.md). */
export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('Write a deterministic demo election (17 regions, ~200 districts, ~10,000 candidates, members) and its register CSV')
    .option('--members <n>', 'members in the register', integer('--members'), 50_000)
    .option('--days <d>', 'length of the voting window in days (it opens now)', positive, 3)
    .option('--seed <s>', 'PRNG seed: the same seed gives the same people', integer('--seed'), 2020)
    .option('--out <path>', 'where to write the register CSV', DEFAULT_CSV_PATH)
    .option('--reset', 'drop and recreate the schema first (refused with NODE_ENV=production)', false)
    .option('--quiet', 'no progress bar', false)
    .action(async (o: { members: number; days: number; seed: number; out: string; reset: boolean; quiet: boolean }) => {
      const r = await seedDemo({
        databaseUrl: databaseUrl(),
        members: o.members,
        days: o.days,
        seed: o.seed,
        csvPath: o.out,
        reset: o.reset,
        progress: !o.quiet,
      });
      console.log(
        `seeded election ${r.electionId}: ${r.contests} contests, ${r.candidates} candidates, ${r.members} members in ${(r.ms / 1000).toFixed(1)} s\n` +
          `register CSV: ${r.csvPath}`,
      );
    });
}
