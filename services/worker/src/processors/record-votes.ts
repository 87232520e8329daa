import type { Running, WorkerContext } from '../context';

// Placeholder during development; replaced by the issue that builds this processor.
export async function startRecordVotes(_ctx: WorkerContext): Promise<Running | null> {
  return null;
}
