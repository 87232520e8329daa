import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type QueuedVote, VOTE_BATCH_JOB, jobId, voteBatchJobOptions } from '@primaries/queue';
import { confirmClaims } from '@primaries/redis-protocols';

interface Pending {
  votes: QueuedVote[];
  /** The pre-check's pending-claim members of these votes (confirmed once the job is added). */
  claims: string[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface VoteBatcherOptions {
  /** Votes per job at most (VOTE_BATCH_MAX). */
  max: number;
  /** Called with the votes of each job added. */
  onQueued?: (votes: number) => void;
  /** Called when a queued job's claims could not be confirmed (the sweep then checks them). */
  onConfirmFailed?: (err: unknown) => void;
}

/**
 * Gathers the votes accepted during one event-loop tick into ONE BullMQ job (flushed by
 * setImmediate, or as soon as `max` votes are waiting). BullMQ costs ~70 µs of Redis time
 * per job whatever its size, so many votes per job is what keeps the queue ahead of the
 * voters (docs/voting.md). A request's votes are never split across jobs, and its
 * promise settles only once the job is in Redis and its claims are confirmed (one MULTI
 * per job: the claims stop being provisional, docs/operations.md).
 */
export class VoteBatcher {
  private pending: Pending[] = [];
  private size = 0;
  private scheduled: NodeJS.Immediate | null = null;
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly queue: Queue,
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly opts: VoteBatcherOptions,
  ) {}

  /** Queues one body's votes; resolves when their job is added, rejects if the add fails. */
  submit(votes: QueuedVote[], claims: string[] = []): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.size + votes.length > this.opts.max && this.size > 0) this.flush();
      this.pending.push({ votes, claims, resolve, reject });
      this.size += votes.length;
      if (this.size >= this.opts.max) this.flush();
      else this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const count = this.size;
    this.pending = [];
    this.size = 0;
    const p = this.add(batch, count).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async add(batch: Pending[], count: number): Promise<void> {
    const batchId = randomUUID();
    try {
      // The votes were counted in the backlog by their claims (so the worker's decrement never comes first).
      await this.queue.add(VOTE_BATCH_JOB, { batchId, votes: batch.flatMap((p) => p.votes) }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    // Queued: the claims are final. If this fails, the sweep waits for this batch to be done
    // and then finds its receipts settled by the worker: the claims stay.
    await confirmClaims(this.redis, this.redisPrefix, batch.flatMap((p) => p.claims)).catch((err: unknown) => this.opts.onConfirmFailed?.(err));
    this.opts.onQueued?.(count);
    for (const p of batch) p.resolve();
  }

  /** Flushes what is waiting and waits for every add in flight (graceful close). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
  }
}
