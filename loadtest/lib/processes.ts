import type { ChildProcess } from 'node:child_process';
import { request } from './http';

export { freePort } from '@primaries/testing';

const children: ChildProcess[] = [];

/** Remembers a child started with `detached: true`, so its whole group is stopped on exit. */
export function trackChild(child: ChildProcess): ChildProcess {
  children.push(child);
  return child;
}

/** SIGTERM to every tracked child's process group that is still running. */
export function stopChildren(): void {
  for (const c of children) {
    if (c.exitCode === null && c.pid) {
      try {
        process.kill(-c.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}
process.on('exit', stopChildren);
process.on('SIGINT', () => process.exit(130));

/** Polls `<url>/ready` with the given Host until it answers 200. */
export async function waitReady(url: string, host: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await request(`${url}/ready`, { headers: { host } })).status === 200) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${url} (Host ${host}) not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Resolves when every tracked child has exited, or after the timeout. */
export async function childrenExited(timeoutMs: number): Promise<void> {
  await Promise.race([
    Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r))))),
    new Promise((r) => setTimeout(r, timeoutMs).unref()),
  ]);
}
