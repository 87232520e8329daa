import { Redis } from 'ioredis';
import pg from 'pg';
import { procStat } from './sampler';

/**
 * CPU per process group, from /proc: each service process, the Postgres backends that
 * serve the stack's database, the Redis server, and the load generator (this process)
 * apart. A snapshot is taken before and after the timed part; the difference is what the
 * run cost. Backends that start during the run count from zero; one that exits during the
 * run loses what it spent (the services keep pooled connections, so this is rare).
 */
export type Group = 'gateway' | 'vote' | 'results' | 'worker' | 'postgres' | 'redis' | 'load generator';

export interface CpuSnapshot {
  /** cpu seconds per pid, with its group. */
  pids: Map<number, { group: Group; cpu: number }>;
}

export interface CpuSources {
  services: Array<{ name: 'gateway' | 'vote' | 'results' | 'worker'; pid?: number }>;
  databaseUrl: string;
  redisUrl: string;
}

async function postgresBackends(databaseUrl: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: databaseUrl, application_name: 'loadtest-cpu' });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
    return r.rows.map((x) => x.pid);
  } finally {
    await c.end();
  }
}

async function redisPid(redisUrl: string): Promise<number | null> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    const info = await r.info('server');
    const m = /process_id:(\d+)/.exec(info);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  } finally {
    r.disconnect();
  }
}

/** Every group's processes and their CPU seconds now. */
export async function snapshot(src: CpuSources): Promise<CpuSnapshot> {
  const pids = new Map<number, { group: Group; cpu: number }>();
  const add = async (pid: number, group: Group) => {
    const s = await procStat(pid);
    if (s) pids.set(pid, { group, cpu: s.cpuSeconds });
  };
  for (const s of src.services) if (s.pid) await add(s.pid, s.name);
  for (const pid of await postgresBackends(src.databaseUrl)) await add(pid, 'postgres');
  const rpid = await redisPid(src.redisUrl);
  if (rpid) await add(rpid, 'redis');
  await add(process.pid, 'load generator');
  return { pids };
}

/** CPU seconds per group between two snapshots (processes new in `after` count in full). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<Group, number> {
  const out: Record<Group, number> = { gateway: 0, vote: 0, results: 0, worker: 0, postgres: 0, redis: 0, 'load generator': 0 };
  for (const [pid, a] of after.pids) {
    const b = before.pids.get(pid);
    out[a.group] += a.cpu - (b?.cpu ?? 0);
  }
  return out;
}
