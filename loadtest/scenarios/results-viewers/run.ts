/**
 * Results viewers: autocannon at many connections on GET /api/v1/results and one contest
 * page, with Accept-Encoding and a share of If-None-Match revalidations (as browsers
 * send after the first load), through the gateway (Host: RESULTS_HOST). In the same run
 * the same bytes are served by nginx (precompressed, gzip_static/brotli_static) as the
 * baseline; the summary gives the ratio and p99 of both.
 *
 *   pnpm --filter @primaries/loadtest exec tsx scenarios/results-viewers/run.ts \
 *     [--url http://127.0.0.1:8080] [--host localhost] [--duration 10] [--connections 1000] \
 *     [--revalidate 0.5] [--no-baseline] [--spawn-results] [--with "<voting scenario command>"]
 *
 * --spawn-results starts services/results/src/server.ts on a free port and targets it
 * directly; add --spawn-gateway to put services/gateway in front of it (both read the
 * environment's REDIS_URL/REDIS_PREFIX). --with runs another command (the voting scenario) at the same
 * time as the results load, and records its exit code: the combined measurement.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import http from 'node:http';
import { freePort, stopChildren, trackChild } from '../../lib/processes';

const ROOT = path.join(__dirname, '..', '..', '..');
const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: `http://127.0.0.1:${process.env.GATEWAY_PORT ?? 8080}` },
    host: { type: 'string', default: process.env.RESULTS_HOST ?? 'localhost' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1000' },
    pipelining: { type: 'string', default: '1' },
    revalidate: { type: 'string', default: '0.5' },
    encoding: { type: 'string', default: 'gzip, deflate, br' },
    contest: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    'nginx-workers': { type: 'string', default: '1' },
    'spawn-results': { type: 'boolean', default: false },
    'spawn-gateway': { type: 'boolean', default: false },
    with: { type: 'string' },
    label: { type: 'string', default: '' },
    warmup: { type: 'string', default: '2' },
  },
});



function get(base: string, host: string, p: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(base + p, { headers: { host, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitUp(base: string, host: string, p: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await get(base, host, p);
      if (r.status === 200) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`${base}${p} did not answer 200 within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Requests in the proportions asked: plain GETs and revalidations of the two pages. */
async function requestMix(base: string, host: string, paths: string[]): Promise<autocannon.Request[]> {
  const share = Math.max(0, Math.min(1, Number(args.revalidate)));
  const revalidating = Math.round(share * 10);
  const list: autocannon.Request[] = [];
  for (const p of paths) {
    const head = await get(base, host, p, { 'accept-encoding': args.encoding });
    if (head.status !== 200) throw new Error(`${p} answered ${head.status}: ${head.body.toString().slice(0, 200)}`);
    const etag = String(head.headers.etag ?? '');
    for (let i = 0; i < 10; i++) {
      const headers: Record<string, string> = { host, 'accept-encoding': args.encoding };
      if (i < revalidating && etag) headers['if-none-match'] = etag;
      list.push({ method: 'GET', path: p, headers });
    }
  }
  return list;
}

interface Summary {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  ok2xx: number;
  notModified: number;
  other: number;
  errors: number;
  timeouts: number;
  mbPerSec: number;
}

/** A short unrecorded run, so JIT warm-up doesn't count against either side. */
async function warm(base: string, host: string, paths: string[]) {
  if (Number(args.warmup) <= 0) return;
  const requests = await requestMix(base, host, paths);
  await autocannon({ url: base, connections: Math.min(100, Number(args.connections)), duration: Number(args.warmup), requests });
}

async function hammer(name: string, base: string, host: string, paths: string[]): Promise<Summary> {
  const requests = await requestMix(base, host, paths);
  const result = await autocannon({
    url: base,
    connections: Number(args.connections),
    pipelining: Number(args.pipelining),
    duration: Number(args.duration),
    requests,
  });
  const codes = (result as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  const count = (pred: (c: number) => boolean) => Object.entries(codes).filter(([c]) => pred(Number(c))).reduce((n, [, v]) => n + v.count, 0);
  return {
    name,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    ok2xx: count((c) => c >= 200 && c < 300),
    notModified: count((c) => c === 304),
    other: count((c) => c < 200 || (c >= 300 && c !== 304)),
    errors: result.errors,
    timeouts: result.timeouts,
    mbPerSec: Math.round((result.throughput.average / 1024 / 1024) * 10) / 10,
  };
}

/** nginx serving the very bytes the target served, precompressed, on a free port. */
async function startNginx(base: string, host: string, paths: string[]): Promise<{ url: string; dir: string; brotli: boolean }> {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
  if (!nginx) throw new Error('nginx is not installed (apt-get install -y nginx), or pass --no-baseline');
  const dir = await mkdtemp(path.join(tmpdir(), 'results-nginx-'));
  // nginx's workers drop to an unprivileged user when started as root: they must read the files.
  await chmod(dir, 0o755);
  await mkdir(path.join(dir, 'www'), { recursive: true });
  const brotliModule = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';
  const brotli = existsSync(brotliModule);
  const locations: string[] = [];
  for (const [i, p] of paths.entries()) {
    const file = path.join(dir, 'www', `r${i}.json`);
    await writeFile(file, (await get(base, host, p)).body);
    await writeFile(`${file}.gz`, (await get(base, host, p, { 'accept-encoding': 'gzip' })).body);
    if (brotli) await writeFile(`${file}.br`, (await get(base, host, p, { 'accept-encoding': 'br' })).body);
    locations.push(`location = ${p} { alias ${file}; }`);
  }
  const port = await freePort();
  const conf = `
${brotli ? `load_module ${brotliModule};` : ''}
daemon off;
worker_processes ${Number(args['nginx-workers'])};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  default_type application/json;
  keepalive_requests 1000000;
  gzip_static on; gzip_vary on; ${brotli ? 'brotli_static on;' : ''}
  etag on;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    add_header Cache-Control "public, max-age=60";
    ${locations.join('\n    ')}
  }
}`;
  await mkdir(path.join(dir, 'tmp'));
  await writeFile(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(nginx, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit', detached: true });
  trackChild(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUp(url, host, paths[0]!, 10_000);
  return { url, dir, brotli };
}

async function main() {
  let base = args.url;
  const host = args.host;
  let targetName = `target ${base} (Host: ${host})`;
  if (args['spawn-results']) {
    const port = await freePort();
    const child = spawn('npx', ['tsx', 'services/results/src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, RESULTS_PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      stdio: 'inherit',
      detached: true,
    });
    trackChild(child);
    base = `http://127.0.0.1:${port}`;
    targetName = 'results service (direct)';
    if (args['spawn-gateway']) {
      // The gateway in front of it, on free ports of their own: the official path without a whole stack.
      await waitUp(base, host, '/health');
      const gatewayPort = await freePort();
      const gateway = spawn('npx', ['tsx', 'services/gateway/src/server.ts'], {
        cwd: ROOT,
        env: { ...process.env, GATEWAY_PORT: String(gatewayPort), GATEWAY_BIND: '127.0.0.1', RESULTS_HOST: host, RESULTS_UPSTREAM: base, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
        stdio: 'inherit',
        detached: true,
      });
      trackChild(gateway);
      base = `http://127.0.0.1:${gatewayPort}`;
      targetName = 'gateway → results service';
    }
  }
  await waitUp(base, host, '/api/v1/results');
  const all = JSON.parse((await get(base, host, '/api/v1/results')).body.toString()) as { version?: number; contests: Array<{ id: number; ballots: number }> };
  const contestId = args.contest ?? String([...all.contests].sort((a, b) => b.ballots - a.ballots)[0]?.id ?? '');
  if (!contestId) throw new Error('the snapshot has no contests');
  const paths = ['/api/v1/results', `/api/v1/results/contests/${contestId}`];
  console.log(`${targetName}: snapshot v${all.version}, ${args.connections} connections, ${args.duration} s, revalidate ${args.revalidate}, Accept-Encoding "${args.encoding}"`);

  await warm(base, host, paths);
  let withChild: ChildProcess | null = null;
  let withExit: Promise<number | null> | null = null;
  if (args.with) {
    console.log(`running alongside: ${args.with}`);
    withChild = spawn(args.with, { cwd: ROOT, shell: true, stdio: 'inherit', detached: true });
    trackChild(withChild);
    withExit = new Promise((r) => withChild!.once('exit', (code) => r(code)));
  }
  const target = await hammer(targetName, base, host, paths);
  const withCode = withExit ? await withExit : undefined;

  let baseline: Summary | null = null;
  let nginxInfo: { url: string; dir: string; brotli: boolean } | null = null;
  if (!args['no-baseline']) {
    nginxInfo = await startNginx(base, host, paths);
    await warm(nginxInfo.url, host, paths);
    baseline = await hammer(`nginx static (${args['nginx-workers']} worker${nginxInfo.brotli ? ', gzip+br static' : ', gzip static'})`, nginxInfo.url, host, paths);
  }
  stopChildren();
  if (nginxInfo) await rm(nginxInfo.dir, { recursive: true, force: true });

  const rows = [target, ...(baseline ? [baseline] : [])];
  console.table(rows.map((r) => ({ target: r.name, 'req/s': r.reqPerSec, 'p50 ms': r.p50, 'p99 ms': r.p99, '2xx': r.ok2xx, '304': r.notModified, other: r.other, errors: r.errors, 'MB/s': r.mbPerSec })));
  if (baseline) {
    console.log(`ratio to nginx: throughput ${(target.reqPerSec / baseline.reqPerSec).toFixed(2)}×, p99 ${target.p99} ms vs ${baseline.p99} ms`);
  }
  if (withCode !== undefined) console.log(`alongside command exited with ${withCode}`);
  const dir = path.join(ROOT, 'loadtest', 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `results-viewers-${args.label ? `${args.label}-` : ''}${Date.now()}.json`);
  await writeFile(file, JSON.stringify({ at: new Date().toISOString(), args, paths, target, baseline, alongside: args.with ? { command: args.with, exitCode: withCode } : null }, null, 2));
  console.log(`wrote ${path.relative(ROOT, file)}`);
  const failed = target.errors > 0 || target.other > 0;
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
