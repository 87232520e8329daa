import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';

// `pnpm start` run for real as a child process, for start.test.ts and start-scale.test.ts.
export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function runStart(args: string[], env: Record<string, string>): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/start.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** The pid of a service's latest run, from start's `<name> started (pid N)` lines. */
export function pidOf(output: string, name: string): number | undefined {
  const all = [...output.matchAll(new RegExp(`${name} started \\(pid (\\d+)\\)`, 'g'))];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : undefined;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stop(run: Run | undefined): Promise<void> {
  if (!run || run.child.exitCode !== null) return;
  run.child.kill('SIGTERM');
  await run.exited;
}
