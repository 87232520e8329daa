import type { Redis } from 'ioredis';

/**
 * Election changes (issue #13): when an organizer extends, closes or publishes, the admin
 * service announces the election's id on this channel, and every vote instance drops its
 * in-memory copy of the election at once (instead of serving the old window until its cache
 * expires). A lost message costs at most the cache's TTL: the caches expire anyway.
 */

/** `<prefix>:election:changed`: the message is the election's id. */
export function electionChangesChannel(prefix: string): string {
  return `${prefix}:election:changed`;
}

/** Tells every subscriber that the election's window or state changed. */
export async function announceElectionChange(redis: Redis, prefix: string, electionId: number): Promise<void> {
  await redis.publish(electionChangesChannel(prefix), String(electionId));
}

/**
 * Calls `onChange(electionId)` for every announcement, on `subscriber` (a connection of its
 * own: a subscribed client can run nothing else). ioredis resubscribes after a reconnect.
 */
export async function followElectionChanges(subscriber: Redis, prefix: string, onChange: (electionId: number) => void): Promise<void> {
  const channel = electionChangesChannel(prefix);
  subscriber.on('message', (ch: string, message: string) => {
    const id = Number(message);
    if (ch === channel && Number.isSafeInteger(id) && id > 0) onChange(id);
  });
  await subscriber.subscribe(channel);
}
