import type { Running, WorkerContext } from '../context';
import { releaserFor } from '../release/releaser';
import { startRecordVotes } from './record-votes';
import { startRebuildTallies } from './rebuild-tallies';
import { startSendSms } from './send-sms';
import { startSweepClaims } from './sweep-claims';
import { startRecordComplaints } from './record-complaints';

// Each processor module exports start(ctx) → Running. Listed here so main.ts and tests
// start the same set.
export async function startProcessors(ctx: WorkerContext): Promise<Running[]> {
  // One release step for the batches (a group reached K) and the tallies (before each).
  const releaser = releaserFor(ctx);
  const started = await Promise.all([startRecordVotes(ctx, { releaser }), startRebuildTallies(ctx, releaser), startSendSms(ctx), Promise.resolve(startSweepClaims(ctx)), startRecordComplaints(ctx)]);
  return started.filter((r): r is Running => r !== null);
}

export { type RecordVotesOptions, startRecordVotes } from './record-votes';
export { startRebuildTallies } from './rebuild-tallies';
export { startSendSms } from './send-sms';
export { recordComplaint, startRecordComplaints } from './record-complaints';
