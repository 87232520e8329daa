import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import type { Readable } from 'node:stream';

/** One long-running process of the stack. */
export interface ServiceProcess {
  name: string;
  command: string;
  color: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface RunningServices {
  /** Settles once stop() was called and every service has exited: true if each closed cleanly (exit 0). */
  finished: Promise<boolean>;
  /** Stops every service (SIGTERM to its process group, once; SIGKILL after `forceAfterMs`); no more restarts. */
  stop(): void;
  /** The process id of each service's current run (undefined while it waits to be restarted). */
  pids(): Record<string, number | undefined>;
  /** How many times each service has been restarted so far. */
  restarts(): Record<string, number>;
}

export interface SuperviseOptions {
  /** After a stop, SIGKILL what still runs after this long. */
  forceAfterMs: number;
  /** The first restart delay; doubled after each exit in a row, up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A run that lasted this long resets the back-off to `backoffMs`. */
  stableAfterMs?: number;
  /** Where the supervisor's own lines go. */
  log: (msg: string) => void;
  /** Where the services' output lines go (default: our stdout, prefixed with the service's name). */
  output?: (name: string, line: string) => void;
}

const COLORS: Record<string, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36 };

/**
 * Runs and supervises the stack's services, each as its own process group (so a terminal's
 * Ctrl-C reaches only `pnpm start`, and each service gets exactly one SIGTERM:
 * close-with-grace treats a second signal as "exit now" and would skip its graceful close).
 *
 * A service that exits without being asked to is restarted after a back-off (1 s, 2 s, 4 s …
 * up to 30 s; reset by a run that lasted a minute) while the others keep running. Its output
 * goes to our stdout, each line prefixed with its name.
 */
export function superviseServices(services: ServiceProcess[], opts: SuperviseOptions): RunningServices {
  const backoffMs = opts.backoffMs ?? 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  const stableAfterMs = opts.stableAfterMs ?? 60_000;
  const tty = Boolean(process.stdout.isTTY);
  const width = Math.max(...services.map((s) => s.name.length));

  let stopping = false;
  let allClean = true;
  let resolveFinished!: (ok: boolean) => void;
  const finished = new Promise<boolean>((resolve) => { resolveFinished = resolve; });

  interface State {
    spec: ServiceProcess;
    child?: ChildProcess;
    exited?: Promise<void>;
    timer?: NodeJS.Timeout;
    failuresInARow: number;
    restarts: number;
  }
  const states = services.map((spec): State => ({ spec, failuresInARow: 0, restarts: 0 }));

  const prefix = (s: ServiceProcess) => {
    const label = `[${s.name.padEnd(width)}]`;
    return tty && COLORS[s.color] ? `\x1b[${COLORS[s.color]}m${label}\x1b[0m` : label;
  };
  const pipeLines = (stream: Readable | null, s: ServiceProcess) => {
    if (!stream) return;
    readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (opts.output) opts.output(s.name, line);
      else process.stdout.write(`${prefix(s)} ${line}\n`);
    });
  };

  const settleIfDone = () => {
    if (stopping && states.every((st) => !st.child)) resolveFinished(allClean);
  };

  const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };

  const launch = (st: State) => {
    st.timer = undefined;
    if (stopping) return;
    const startedAt = Date.now();
    // `exec node …` inside sh: the service is the group leader, and the group is what we signal.
    const child = spawn('/bin/sh', ['-c', st.spec.command], { cwd: st.spec.cwd, env: st.spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    st.child = child;
    if (child.pid !== undefined) opts.log(`${st.spec.name} started (pid ${child.pid})`);
    pipeLines(child.stdout, st.spec);
    pipeLines(child.stderr, st.spec);
    st.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        opts.log(`${st.spec.name}: could not be started: ${err.message}`);
      });
      child.once('close', (code, signal) => {
        st.child = undefined;
        resolve();
        if (stopping) {
          if (code !== 0) {
            allClean = false;
            opts.log(`${st.spec.name} did not close cleanly (${signal ?? `exit code ${code}`})`);
          }
          settleIfDone();
          return;
        }
        // Unexpected: restart after a back-off, the others untouched.
        st.failuresInARow = Date.now() - startedAt >= stableAfterMs ? 1 : st.failuresInARow + 1;
        const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (st.failuresInARow - 1));
        opts.log(`${st.spec.name} exited unexpectedly (${signal ?? `exit code ${code}`}); restarting in ${(delay / 1000).toFixed(delay < 1000 ? 1 : 0)} s`);
        st.timer = setTimeout(() => {
          st.restarts += 1;
          launch(st);
        }, delay);
      });
    });
  };

  for (const st of states) launch(st);

  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const st of states) {
      if (st.timer) clearTimeout(st.timer);
      st.timer = undefined;
      if (st.child) killGroup(st.child, 'SIGTERM');
    }
    const force = setTimeout(() => {
      for (const st of states) {
        if (st.child) {
          opts.log(`${st.spec.name} still running after ${opts.forceAfterMs / 1000} s: SIGKILL`);
          killGroup(st.child, 'SIGKILL');
        }
      }
    }, opts.forceAfterMs);
    force.unref();
    void finished.then(() => clearTimeout(force));
    settleIfDone();
  };

  return {
    finished,
    stop,
    pids: () => Object.fromEntries(states.map((st) => [st.spec.name, st.child?.pid])),
    restarts: () => Object.fromEntries(states.map((st) => [st.spec.name, st.restarts])),
  };
}
