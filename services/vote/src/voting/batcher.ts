import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type QueuedVote, VOTE_BATCH_JOB, jobId, voteBatchJobOptions } from '@primaries/queue';
import { countQueuedVotes, uncountQueuedVotes } from '@primaries/redis-protocols';

interface Pending {
  votes: QueuedVote[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the votes accepted during one event-loop tick into ONE BullMQ job (flushed by
 * setImmediate, or as soon as `max` votes are waiting). BullMQ costs ~70 µs of Redis time
 * per job whatever its size, so many votes per job is what keeps the queue ahead of the
 * voters (docs/voting.md). A request's votes are never split across jobs, and its
 * promise settles only once the job is in Redis.
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
    private readonly max: number,
    private readonly onQueued: (votes: number) => void = () => {},
  ) {}

  /** Queues one body's votes; resolves when their job is added, rejects if the add fails. */
  submit(votes: QueuedVote[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.size + votes.length > this.max && this.size > 0) this.flush();
      this.pending.push({ votes, resolve, reject });
      this.size += votes.length;
      if (this.size >= this.max) this.flush();
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
    let counted = false;
    try {
      // Counted before the add, so the worker's decrement can never come first.
      await countQueuedVotes(this.redis, this.redisPrefix, count);
      counted = true;
      await this.queue.add(VOTE_BATCH_JOB, { batchId, votes: batch.flatMap((p) => p.votes) }, { jobId: jobId('votes', batchId), ...voteBatchJobOptions() });
    } catch (err) {
      if (counted) uncountQueuedVotes(this.redis, this.redisPrefix, count).catch(() => {});
      for (const p of batch) p.reject(err);
      return;
    }
    this.onQueued(count);
    for (const p of batch) p.resolve();
  }

  /** Flushes what is waiting and waits for every add in flight (graceful close). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.allSettled([...this.inFlight]);
  }
}
