import type { Running, WorkerContext } from '../context';
import { startRecordVotes } from './record-votes';
import { startRebuildTallies } from './rebuild-tallies';
import { startSendSms } from './send-sms';

// Each processor module exports start(ctx) → Running. Listed here so main.ts and tests
// start the same set.
export async function startProcessors(ctx: WorkerContext): Promise<Running[]> {
  const started = await Promise.all([startRecordVotes(ctx), startRebuildTallies(ctx), startSendSms(ctx)]);
  return started.filter((r): r is Running => r !== null);
}
