import type { Redis } from 'ioredis';
import { readVoteBacklog } from '@primaries/redis-protocols';

/** How often each vote instance reads the shared backlog counter. */
const BACKLOG_REFRESH_MS = 250;

/**
 * The number of votes queued but not yet recorded, as this instance knows it: the shared
 * Redis counter (@primaries/redis-protocols' backlog module) read every BACKLOG_REFRESH_MS,
 * plus what this instance queued since. No Redis call per request.
 */
export class BacklogMonitor {
  private shared = 0;
  private localSinceRead = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly redisPrefix: string,
    private readonly refreshMs = BACKLOG_REFRESH_MS,
  ) {}

  start(): void {
    const tick = async () => {
      try {
        this.shared = await readVoteBacklog(this.redis, this.redisPrefix);
        this.localSinceRead = 0;
      } catch {
        // Keep the last value; the add path reports Redis trouble itself.
      }
    };
    void tick();
    this.timer = setInterval(() => void tick(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  queued(votes: number): void {
    this.localSinceRead += votes;
  }

  get value(): number {
    return this.shared + this.localSinceRead;
  }
}
