import type { Command } from 'commander';
import { loadConfig } from '@primaries/config';
import { outboxEntry, outboxKey } from '@primaries/redis-protocols';
import { closeRedis, cliRedis } from '../stores';

/**
 * `primaries sms tail`: follows the local SMS outbox (SMS_PROVIDER=outbox) the way
 * `tail -f` follows a file, with XREAD BLOCK on `<REDIS_PREFIX>:sms:outbox`.
 */
export function registerSmsCommands(program: Command): void {
  const sms = program.command('sms').description('The local SMS outbox (SMS_PROVIDER=outbox)');
  sms
    .command('tail')
    .description('Print outbox messages as they are sent (Ctrl-C to stop)')
    .option('-n, --last <count>', 'first print this many earlier messages', '10')
    .option('--once', 'print the earlier messages and exit instead of following')
    .option('--phone <number>', 'only messages to this number (E.164)')
    .action(async (opts: { last: string; once?: boolean; phone?: string }) => {
      const config = loadConfig('worker');
      const key = outboxKey(config.REDIS_PREFIX);
      const redis = cliRedis(config, { blocking: true });
      const print = (fields: string[]) => {
        const m = outboxEntry(fields);
        if (!opts.phone || m.to === opts.phone) console.log(`${m.sentAt}  ${m.to}  ${m.text}`);
      };
      let stopping = false;
      process.once('SIGINT', () => {
        stopping = true;
        closeRedis(redis);
      });
      try {
        const last = Math.max(0, Number(opts.last) || 0);
        let lastId = '$';
        if (last > 0) {
          const earlier = await redis.xrevrange(key, '+', '-', 'COUNT', last);
          for (const [, fields] of earlier.reverse()) print(fields);
          if (earlier.length) lastId = earlier[earlier.length - 1]![0];
        }
        if (opts.once) return;
        if (lastId === '$') {
          // Resolve '$' once, so nothing sent between two XREADs is skipped.
          const top = await redis.xrevrange(key, '+', '-', 'COUNT', 1);
          lastId = top[0]?.[0] ?? '0-0';
        }
        console.error(`following ${key} (Ctrl-C to stop)`);
        while (!stopping) {
          const res = await redis.xread('COUNT', 100, 'BLOCK', 5000, 'STREAMS', key, lastId);
          for (const [, entries] of res ?? []) {
            for (const [id, fields] of entries) {
              print(fields);
              lastId = id;
            }
          }
        }
      } catch (err) {
        if (!stopping) throw err;
      } finally {
        closeRedis(redis);
      }
    });
}
