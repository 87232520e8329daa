import type { Redis } from 'ioredis';
import { QUEUES } from '@primaries/queue';

/**
 * When the oldest vote batch not yet finished was added (ms, the adding vote service's
 * clock), from BullMQ's own keys: the tail of the wait list (jobs are LPUSHed and taken from
 * the right), the active list and the delayed set (both small: a worker's concurrency).
 * Null when the queue holds none. A handful of commands; the claim sweep asks it each time.
 */
export async function oldestUnfinishedBatchAt(redis: Redis, bullPrefix: string): Promise<number | null> {
  const q = `${bullPrefix}:${QUEUES.votes}`;
  const [oldestWaiting, active, delayed, prioritized] = await Promise.all([
    redis.lindex(`${q}:wait`, -1),
    redis.lrange(`${q}:active`, 0, 999),
    redis.zrange(`${q}:delayed`, '0', '999'),
    redis.zrange(`${q}:prioritized`, '0', '999'),
  ]);
  const ids = [...new Set([oldestWaiting, ...active, ...delayed, ...prioritized].filter((id): id is string => typeof id === 'string' && id.length > 0))];
  if (ids.length === 0) return null;
  const stamps = (await Promise.all(ids.map((id) => redis.hget(`${q}:${id}`, 'timestamp')))).map(Number).filter((t) => Number.isFinite(t) && t > 0);
  return stamps.length ? Math.min(...stamps) : null;
}
