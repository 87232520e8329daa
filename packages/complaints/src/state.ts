import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The state a complainant reads at `GET /api/v1/complaints/{tracking}` on the results site,
 * which has no database: a Redis hash tracking → `{state, updatedAt}`. Written when the
 * complaint is accepted (received), by the worker when it is stored, and by the console at
 * every transition. The one owner of this key.
 */
export const complaintStateSchema = z.object({ state: z.enum(['received', 'reviewing', 'upheld', 'dismissed']), updatedAt: z.string() });
export type ComplaintState = z.infer<typeof complaintStateSchema>;

/** `<prefix>:complaints:state`. */
export function complaintStateKey(prefix: string): string {
  return `${prefix}:complaints:state`;
}

/** Records a complaint's state. */
export async function writeComplaintState(redis: Redis, prefix: string, tracking: string, state: ComplaintState['state'], updatedAt: Date | string): Promise<void> {
  const at = typeof updatedAt === 'string' ? updatedAt : updatedAt.toISOString();
  await redis.hset(complaintStateKey(prefix), tracking, JSON.stringify({ state, updatedAt: at }));
}

/** A complaint's state, or null for an unknown tracking number. */
export async function readComplaintState(redis: Redis, prefix: string, tracking: string): Promise<ComplaintState | null> {
  const raw = await redis.hget(complaintStateKey(prefix), tracking);
  return raw ? complaintStateSchema.parse(JSON.parse(raw)) : null;
}

/**
 * A fixed-window counter of complaints per complainant (`who`: a member id, a client
 * address): true while under `max` per `windowSeconds`. One MULTI.
 */
export async function takeComplaintSlot(redis: Redis, prefix: string, who: string, max: number, windowSeconds: number): Promise<boolean> {
  const key = `${prefix}:complaints:limit:${who}`;
  const r = await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec();
  return Number(r?.[0]?.[1] ?? Infinity) <= max;
}
