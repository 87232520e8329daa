import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';

/**
 * The results site through the gateway against nginx serving the same file, in one run
 * (ratios hold, absolute figures do not: the load generator shares the cores).
 *
 *   pnpm --filter @primaries/gateway bench -- --duration 10 --connections 100
 *
 * Scenarios: nginx (static file, ETag), upstream (the stand-in results service directly),
 * gateway (cache on: hits), gateway-304 (If-None-Match), gateway-nocache (pure proxy).
 * Prints a table and writes loadtest/results/gateway-results-<time>.json.
 */
const { values } = parseArgs({
  // pnpm passes a literal `--` through.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '100' },
    size: { type: 'string', default: '50000' },
    gzip: { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'nginx,upstream,gateway,gateway-304,gateway-nocache' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const scenarios = values.scenarios.split(',').map((s) => s.trim());

const ROOT = join(__dirname, '../../..');
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitForHttp(url: string, headers: Record<string, string> = {}): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { headers });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

function start(cmd: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

/** A JSON document of about `size` bytes shaped like a contest result. */
function document(size: number): Buffer {
  const candidates = [];
  for (let i = 0; JSON.stringify(candidates).length < size; i++) {
    candidates.push({ id: `c-${i}`, name: `Candidate number ${i}`, votes: (i * 7919) % 100_000, percent: ((i * 13) % 1000) / 10, rank: i + 1, woman: i % 3 === 0, youth: i % 4 === 0, removed: false });
  }
  return Buffer.from(JSON.stringify({ contest: 'bench', generatedAt: new Date().toISOString(), candidates }));
}

interface Row {
  scenario: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  throughputMBps: number;
}

async function run(scenario: string, url: string, headers: Record<string, string>): Promise<Row> {
  // Let the JIT and the connection pools settle before measuring.
  if (Number(values.warmup) > 0) await autocannon({ url, connections, duration: Number(values.warmup), headers });
  const result = await autocannon({ url, connections, duration, headers });
  return {
    scenario,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    throughputMBps: Math.round((result.throughput.average / 1e6) * 10) / 10,
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const body = document(Number(values.size));
  const file = join(dir, 'results.json');
  writeFileSync(file, body);
  writeFileSync(`${file}.gz`, gzipSync(body));
  const accept: Record<string, string> = values.gzip ? { 'accept-encoding': 'gzip' } : {};
  const rows: Row[] = [];
  try {
    const [nginxPort, upstreamPort, gatewayPort, nocachePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    if (scenarios.includes('nginx')) {
      // The same file from nginx with its usual static settings, one worker per core.
      const conf = join(dir, 'nginx.conf');
      writeFileSync(conf, `worker_processes auto; pid ${dir}/nginx.pid; error_log ${dir}/error.log; daemon off;
events { worker_connections 4096; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000; gzip_static on;
  client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir}; uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server { listen 127.0.0.1:${nginxPort}; root ${dir}; location / { default_type application/json; add_header Cache-Control "public, max-age=30"; } } }`);
      start('nginx', ['-c', conf, '-p', dir, '-e', join(dir, 'error.log')], {});
      await waitForHttp(`http://127.0.0.1:${nginxPort}/results.json`);
    }
    start(process.execPath, ['--import', 'tsx', 'services/gateway/bench/static-upstream.ts'], { BENCH_FILE: file, BENCH_PORT: String(upstreamPort) });
    await waitForHttp(`http://127.0.0.1:${upstreamPort}/api/v1/results`);
    const gatewayEnv = { RESULTS_UPSTREAM: `http://127.0.0.1:${upstreamPort}`, LOG_LEVEL: 'warn', REDIS_PREFIX: `bench_gateway_${process.pid}`, NODE_ENV: 'production' };
    start(process.execPath, ['--import', 'tsx', 'services/gateway/src/server.ts'], { ...gatewayEnv, GATEWAY_PORT: String(gatewayPort) });
    start(process.execPath, ['--import', 'tsx', 'services/gateway/src/server.ts'], { ...gatewayEnv, GATEWAY_PORT: String(nocachePort), RESULTS_GATEWAY_CACHE: 'false', RATE_LIMIT_RESULTS_MAX: '1000000000' });
    await waitForHttp(`http://127.0.0.1:${gatewayPort}/_gateway/health`);
    await waitForHttp(`http://127.0.0.1:${nocachePort}/_gateway/health`);

    const etag = (await fetch(`http://127.0.0.1:${upstreamPort}/api/v1/results`)).headers.get('etag') ?? '';
    const plan: Array<[string, string, Record<string, string>]> = [
      ['nginx', `http://127.0.0.1:${nginxPort}/results.json`, accept],
      ['upstream', `http://127.0.0.1:${upstreamPort}/api/v1/results`, accept],
      ['gateway', `http://127.0.0.1:${gatewayPort}/api/v1/results`, { host: 'localhost', ...accept }],
      ['gateway-304', `http://127.0.0.1:${gatewayPort}/api/v1/results`, { host: 'localhost', 'if-none-match': etag, ...accept }],
      ['gateway-nocache', `http://127.0.0.1:${nocachePort}/api/v1/results`, { host: 'localhost', ...accept }],
    ];
    for (const [name, url, headers] of plan) {
      if (!scenarios.includes(name)) continue;
      process.stderr.write(`${name}: ${duration} s, ${connections} connections…\n`);
      rows.push(await run(name, url, headers));
    }
  } finally {
    for (const child of children) if (child.pid) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    // Let them close before removing their files.
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
  }

  const nginx = rows.find((r) => r.scenario === 'nginx')?.requestsPerSecond;
  console.log(`\nresults site, ${body.length} B JSON${values.gzip ? ' (gzip)' : ''}, ${connections} connections, ${duration} s each, ${cpus().length} cores, node ${process.version}`);
  console.log('scenario          req/s    p50 ms  p99 ms  MB/s    non-2xx  errors  vs nginx');
  for (const r of rows) {
    const ratio = nginx ? (r.requestsPerSecond / nginx).toFixed(2) : '-';
    console.log(`${r.scenario.padEnd(16)} ${String(r.requestsPerSecond).padStart(7)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(7)} ${String(r.throughputMBps).padStart(6)} ${String(r.non2xx).padStart(9)} ${String(r.errors + r.timeouts).padStart(7)}  ${ratio}`);
  }
  const out = join(ROOT, 'loadtest/results');
  mkdirSync(out, { recursive: true });
  const path = join(out, `gateway-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, JSON.stringify({ scenario: 'gateway-results', at: new Date().toISOString(), duration, connections, bodyBytes: body.length, gzip: values.gzip, cores: cpus().length, node: process.version, nginxVersion: nginxVersion(), rows }, null, 2));
  console.log(`\nwritten to ${path}`);
}

function nginxVersion(): string | undefined {
  // `nginx -v` prints to stderr.
  const out = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return (out.stderr || out.stdout || '').trim() || undefined;
}

main().catch((err) => {
  console.error(err);
  for (const child of children) if (child.pid) process.kill(child.pid, 'SIGTERM');
  process.exit(1);
});
