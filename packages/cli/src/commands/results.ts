import { Queue, QueueEvents } from 'bullmq';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '@primaries/config';
import { createDb } from '@primaries/db';
import { QUEUES, type TallyJob, type TallyJobResult, bullPrefix } from '@primaries/queue';
import { closeRedis, cliRedis } from '../stores';
import { resultsKeys, snapshotSchema } from '@primaries/results-model';
import { createLogger } from '@primaries/logger';
import { BallotSealer } from '@primaries/sealing';
import { Releaser } from '@primaries/worker/release';
import { rebuildResults } from '@primaries/worker/tally';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive whole number');
  return n;
}

/**
 * `primaries results rebuild`: enqueues a rebuild on QUEUES.tallies and waits for the
 * worker to finish it (or, with --direct, runs the tally in this process); prints the time.
 * `primaries results show`: the snapshot the results site is serving.
 */
export function registerResultsCommands(program: Command): void {
  const results = program.command('results').description('The results snapshot the worker rebuilds and the results site serves');

  results
    .command('rebuild')
    .description('Rebuild the results snapshot now and print how long it took')
    .option('--direct', 'run the tally in this process instead of asking the worker')
    .option('--election <id>', 'tally this election instead of the current one', positiveInt)
    .option('--timeout <seconds>', 'give up waiting for the worker after this long', positiveInt, 120)
    .action(async (opts: { direct?: boolean; election?: number; timeout: number }) => {
      const config = loadConfig('worker');
      const started = performance.now();
      let result: TallyJobResult;
      if (opts.direct) {
        const db = createDb({ url: config.DATABASE_URL, poolMax: 6, applicationName: 'primaries-results-rebuild' });
        const redis = cliRedis(config);
        try {
          // The release step first, as the worker's tally does (groups of K; all once closed).
          const releaser = new Releaser({ db, sealer: new BallotSealer(config.BALLOT_KEYS), min: config.BALLOT_RELEASE_MIN, reserve: config.BALLOT_RELEASE_RESERVE, log: createLogger('cli', 'warn') });
          const { snapshot: _snapshot, ...summary } = await rebuildResults(db, redis, config.REDIS_PREFIX, {
            releaser,
            signer: config.RESULTS_SIGNING_KEY,
            ...(opts.election ? { electionId: opts.election } : {}),
            ...(config.RESULTS_REFRESH_SECONDS !== undefined ? { refreshSeconds: config.RESULTS_REFRESH_SECONDS } : {}),
          });
          result = summary;
        } finally {
          await db.destroy();
          closeRedis(redis);
        }
      } else {
        const prefix = bullPrefix(config.REDIS_PREFIX);
        const connection = cliRedis(config, { blocking: true });
        const queue = new Queue<TallyJob, TallyJobResult>(QUEUES.tallies, { connection, prefix });
        const eventsConnection = cliRedis(config, { blocking: true });
        const events = new QueueEvents(QUEUES.tallies, { connection: eventsConnection, prefix });
        try {
          await events.waitUntilReady();
          const job = await queue.add(
            'rebuild',
            { reason: 'manual', ...(opts.election ? { electionId: opts.election } : {}) },
            { removeOnComplete: { count: 20 }, removeOnFail: { count: 50 } },
          );
          result = await job.waitUntilFinished(events, opts.timeout * 1000).catch((err: Error) => {
            if (/timed out/i.test(err.message)) {
              throw new Error(`no worker finished the rebuild within ${opts.timeout} s: is the worker running? (or use --direct)`);
            }
            throw err;
          });
        } finally {
          await events.close();
          await queue.close();
          // Connections passed in are ours to close: BullMQ leaves them open.
          closeRedis(connection);
          closeRedis(eventsConnection);
        }
      }
      const wall = Math.round(performance.now() - started);
      if (result.version === null) console.log(`no election to tally (${wall} ms)`);
      else console.log(`results snapshot v${result.version} of election ${result.electionId}: tally ${result.buildMs} ms, published in ${result.totalMs} ms (${wall} ms end to end)`);
    });

  results
    .command('show')
    .description("Print a summary of the current snapshot (what the results site serves)")
    .action(async () => {
      const config = loadConfig('results');
      const redis = cliRedis(config);
      try {
        const keys = resultsKeys(config.REDIS_PREFIX);
        const current = await redis.get(keys.current);
        const raw = current ? await redis.get(keys.version(Number(current))) : null;
        if (!raw) {
          console.log('no results snapshot published yet');
          return;
        }
        const s = snapshotSchema.parse(JSON.parse(raw));
        console.log(`v${s.version}  election ${s.electionId}  generated ${s.generatedAt}  next ${s.nextRefreshAt}  ${s.final ? 'FINAL' : 'interim'}  tally ${s.buildMs} ms`);
        console.log(`turnout: eligible ${s.turnout.eligible}, authorized ${s.turnout.authorized}, voted ${s.turnout.voted}`);
        console.log(`contests: ${s.contests.length}, ballots: ${s.contests.reduce((n, c) => n + c.ballots, 0)}`);
      } finally {
        closeRedis(redis);
      }
    });
}
