import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkCompose, interpolate, readCompose } from '../src/stack/compose-check';
import type { ComposeFile } from '../src/stack/compose-check';

// No Docker engine runs in CI: these checks hold docker-compose.yml, the Dockerfile and
// infra/redis/redis.conf to the code (config schemas, entry files, ports).
const ROOT = path.resolve(__dirname, '..', '..', '..');
const load = () => readCompose(path.join(ROOT, 'docker-compose.yml'));

type Svc = NonNullable<ComposeFile['services']>[string];
function mutate(fn: (services: Record<string, Svc>) => void): ComposeFile {
  const compose = load();
  fn(compose.services!);
  return compose;
}
const env = (svc: Svc | undefined) => svc!.environment as Record<string, string>;

describe('docker-compose.yml', () => {
  it('agrees with the config schemas, entry files, ports and Redis settings', () => {
    expect(checkCompose(load(), ROOT)).toEqual([]);
  });

  it('still agrees when deployed with production settings from an .env file', () => {
    // (BALLOT_KEYS since issue #9, AUTH_CODE_PEPPER and OPS_TOKEN since #8: production refuses to start without them.)
    const vars = { NODE_ENV: 'production', SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://sms.example.kz/send', SMS_HTTP_TOKEN: 'x', BALLOT_KEYS: `k1:${Buffer.alloc(32, 5).toString('base64')}`, AUTH_CODE_PEPPER: 'a-production-secret-of-32-characters-or-more', OPS_TOKEN: 'an-ops-token-of-32-characters-or-more-000', ADMIN_SECRET: 'another-production-secret-of-32-characters', ADMIN_TOTP_KEYS: `t1:${Buffer.alloc(32, 7).toString('base64')}`, RESULTS_SIGNING_KEY: 'k1:MC4CAQAwBQYDK2VwBCIEIAUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUF' };
    expect(checkCompose(load(), ROOT, vars)).toEqual([]);
  });

  it('refuses production with the SMS outbox (the config schema forbids it)', () => {
    const problems = checkCompose(load(), ROOT, { NODE_ENV: 'production' });
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^vote: configuration does not load: .*SMS_PROVIDER/)]));
  });

  it('runs every service from the one image, the gateway published on 8080', () => {
    const services = load().services!;
    for (const name of ['migrate', 'gateway', 'vote', 'results', 'worker']) {
      expect(services[name]?.build).toBe('.');
      expect(services[name]?.image).toBe('primaries:local');
    }
    expect(services.gateway?.ports).toEqual(['8080:8080']);
    expect(env(services.gateway).VOTE_UPSTREAM).toBe('http://vote:3001');
    expect(env(services.gateway).RESULTS_UPSTREAM).toBe('http://results:3002');
  });

  describe('catches mistakes', () => {
    const cases: [string, (s: Record<string, Svc>) => void, RegExp][] = [
      ['an unknown variable', (s) => { env(s.vote).VOTE_PORTT = '3001'; }, /^vote: environment variable VOTE_PORTT is not in the vote config schema/],
      ['a variable of another service', (s) => { env(s.results).DATABASE_URL = 'postgres://x@postgres/db'; }, /^results: environment variable DATABASE_URL/],
      ['an invalid value', (s) => { env(s.worker).VOTE_WORKER_CONCURRENCY = 'many'; }, /^worker: configuration does not load: .*VOTE_WORKER_CONCURRENCY/],
      ['an upstream on the wrong port', (s) => { env(s.vote).VOTE_PORT = '3005'; }, /^gateway: VOTE_UPSTREAM port 3001 but vote listens on 3005/],
      ['an upstream listing instances', (s) => { env(s.gateway).VOTE_UPSTREAM = 'http://vote:3001,http://vote2:3001'; }, /^gateway: VOTE_UPSTREAM lists 2 URLs; compose names one service/],
      ['an upstream on the wrong host', (s) => { env(s.gateway).RESULTS_UPSTREAM = 'http://127.0.0.1:3002'; }, /^gateway: RESULTS_UPSTREAM host is 127\.0\.0\.1/],
      ['a service bound to loopback', (s) => { delete env(s.results).RESULTS_BIND; }, /^results: RESULTS_BIND must be 0\.0\.0\.0/],
      ['the gateway not published', (s) => { s.gateway!.ports = ['9090:8080']; }, /^gateway: not published on host port 8080/],
      ['a healthcheck on the wrong port', (s) => { env(s.worker).WORKER_PORT = '3004'; }, /^worker: healthcheck probes port 3003 but the service listens on 3004/],
      ['a missing entry file', (s) => { s.vote!.command = ['node', '--import', 'tsx', 'services/vote/src/nope.ts']; }, /^vote: entry file services\/vote\/src\/nope\.ts does not exist/],
      ['another service\'s entry', (s) => { s.results!.command = ['node', '--import', 'tsx', 'services/vote/src/server.ts']; }, /^results: runs services\/vote\/src\/server\.ts, but the results service's entry is/],
      ['an unknown pnpm script', (s) => { s.migrate!.command = ['pnpm', 'db:migrat']; }, /^migrate: command runs pnpm script "db:migrat"/],
      ['a service without image or build', (s) => { delete s.postgres!.image; }, /^postgres: neither image nor build/],
      ['Redis without noeviction', (s) => { s.redis!.command = ['redis-server', '/usr/local/etc/redis/redis.conf', '--maxmemory-policy', 'allkeys-lru']; }, /^redis: maxmemory-policy is not noeviction/],
      ['Redis without its config file', (s) => { s.redis!.volumes = []; }, /^redis: \/usr\/local\/etc\/redis\/redis\.conf is not mounted/],
      ['a service not waiting for migrations', (s) => { s.worker!.depends_on = { redis: { condition: 'service_healthy' } }; }, /^worker: does not wait for migrate/],
      ['a service waiting only for a start', (s) => { s.gateway!.depends_on = { vote: { condition: 'service_started' } }; }, /^gateway: does not wait for migrate/],
      ['a DATABASE_URL off the postgres service', (s) => { env(s.worker).DATABASE_URL = 'postgres://primaries@db:5432/primaries'; }, /^worker: DATABASE_URL points at host db/],
      ['vote not trusting the gateway', (s) => { env(s.vote).TRUSTED_PROXIES = '10.0.0.1'; }, /^vote: TRUSTED_PROXIES does not name the gateway/],
      ['a gateway healthcheck on a routed path', (s) => { s.gateway!.healthcheck = { test: ['CMD', 'node', '-e', "fetch('http://127.0.0.1:8080/health')"] }; }, /^gateway: no healthcheck on \/_gateway\/health/],
      ['an internal service published', (s) => { s.vote!.ports = ['3001:3001']; }, /^vote: publishes ports/],
    ];
    it.each(cases)('%s', (_label, change, expected) => {
      const problems = checkCompose(mutate(change), ROOT);
      expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    });

    it('a missing Dockerfile', () => {
      expect(checkCompose(load(), path.join(ROOT, 'packages'))).toEqual(expect.arrayContaining(['Dockerfile does not exist']));
    });
  });

  it('interpolates ${VAR:-default} the way compose does', () => {
    expect(interpolate('${A:-x}-${B}-${C-y}', { B: 'b' })).toBe('x-b-y');
    expect(interpolate('${A:-x}', { A: 'a' })).toBe('a');
  });
});

describe('Dockerfile and infra', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

  it('builds on node:20-slim with pnpm 10 from npm, a frozen lockfile and a non-root user', () => {
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/npm install --global pnpm@10/);
    expect(dockerfile).not.toMatch(/^RUN .*corepack/m);
    expect(dockerfile).toMatch(/pnpm install .*--frozen-lockfile/);
    const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBeDefined();
    expect(['root', '0']).not.toContain(users.at(-1));
  });

  it('keeps local state and dependencies out of the build context', () => {
    const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignore).toEqual(expect.arrayContaining(['**/node_modules', '.data', '.git']));
  });

  it('has an executable CI script that ends by running pnpm test, then the fault suite', () => {
    const ci = path.join(ROOT, '.ci', 'run');
    expect(existsSync(ci)).toBe(true);
    expect(statSync(ci).mode & 0o111).not.toBe(0);
    const text = readFileSync(ci, 'utf8');
    expect(text).toMatch(/^#!\/usr\/bin\/env bash/);
    expect(text).toMatch(/set -euo pipefail/);
    const commands = text.trim().split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(commands.slice(-2)).toEqual(['pnpm test', 'pnpm test:faults']);
  });
});
