import { spawn } from 'node:child_process';
import type { SpawnOptions } from 'node:child_process';

/** One long-running process of the stack. */
export interface ServiceProcess {
  name: string;
  command: string;
  color: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface RunningServices {
  /** Settles when every service has exited: true if each exited 0. */
  finished: Promise<boolean>;
  /** Sends SIGTERM to every service still running (once), SIGKILL after `forceAfterMs`. */
  stop(): void;
  /** Set when a service exited before anyone asked it to: the stack is going down. */
  failed: () => string | undefined;
}

/**
 * Runs the services with concurrently's engine (prefixed, coloured output; our signals
 * forwarded to them), with two changes to its CLI defaults:
 * - each service gets its own process group (`detached`), so a terminal's Ctrl-C reaches
 *   only us and each service gets exactly one signal: close-with-grace treats a second
 *   one as "exit now" and would skip the graceful close;
 * - a service that exits on its own stops the others, without re-signalling those that
 *   are already closing.
 */
export async function runServices(services: ServiceProcess[], { forceAfterMs }: { forceAfterMs: number }): Promise<RunningServices> {
  // concurrently is ESM and `import Rx from 'rxjs'` breaks under require(); Node's own import() loads it.
  const { createConcurrently, Logger, LogError, LogOutput, LogExit, KillOnSignal } = await import('concurrently');
  const width = Math.max(...services.map((s) => s.name.length));
  const logger = new Logger({ prefixFormat: 'name' });
  const abortController = new AbortController();
  const { commands, result } = createConcurrently(
    services.map((s) => ({ name: s.name.padEnd(width), command: s.command, prefixColor: s.color, env: s.env, cwd: s.cwd })),
    {
      logger,
      outputStream: process.stdout,
      abortSignal: abortController.signal,
      spawn: (command: string, opts: SpawnOptions) => spawn('/bin/sh', ['-c', command], { ...opts, detached: true }),
      // Each service leads its own process group: signal the group.
      kill: (pid: number, signal?: string) => {
        try {
          process.kill(-pid, (signal ?? 'SIGTERM') as NodeJS.Signals);
        } catch {
          // Already gone.
        }
      },
      controllers: [new LogError({ logger }), new LogOutput({ logger }), new LogExit({ logger }), new KillOnSignal({ process, abortController })],
    },
  );

  let stopping = false;
  let failedName: string | undefined;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const c of commands) if (c.state === 'started') c.kill('SIGTERM');
    setTimeout(() => {
      for (const c of commands) if (c.state === 'started') c.kill('SIGKILL');
    }, forceAfterMs).unref();
  };
  // KillOnSignal has already forwarded the signal; only arm the SIGKILL fallback.
  abortController.signal.addEventListener('abort', () => {
    stopping = true;
    setTimeout(() => {
      for (const c of commands) if (c.state === 'started') c.kill('SIGKILL');
    }, forceAfterMs).unref();
  });
  for (const c of commands) {
    c.close.subscribe(() => {
      if (stopping) return;
      failedName = c.name.trim();
      console.log(`${process.stdout.isTTY ? '\x1b[1m[start]\x1b[0m' : '[start]'} ${failedName} exited on its own: stopping the others`);
      stop();
    });
  }
  const finished = result.then(() => true, () => false);
  return { finished, stop, failed: () => failedName };
}
