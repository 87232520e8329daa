import http from 'node:http';
import { type Outcome, VOTE_HOST, VotingLoad, exactlyOnce, httpGet, signedInVoters, sleep, until } from './harness';
import { type ScaledStack, authMembers, startScaledStack } from './scaled-stack';

/**
 * Issue #17: two vote, two results and two worker instances behind one gateway, as
 * `pnpm start --scale vote=2,results=2,worker=2` runs them, under a steady voting load. The
 * guarantees hold with competing instances: the one-IP rule and the code limits across vote
 * instances, the SMS rate across workers, every 202 recorded exactly once while a vote
 * instance and a worker are killed mid-run (no 5xx but 503 with Retry-After), GETs of a
 * stopped results instance answered by the other.
 */

let stack: ScaledStack;
let load: VotingLoad | undefined;
const SMS_RATE = 5;
const CODES_PER_IP = 4;
const OK = new Set<Outcome>(['202', '503+Retry-After', '409 (answer lost earlier)']);

interface Metrics {
  text: string;
  value(name: string, labels?: Record<string, string>): number;
}

async function metrics(url: string): Promise<Metrics> {
  const text = await (await fetch(url)).text();
  return {
    text,
    value(name, labels = {}) {
      let total = 0;
      for (const line of text.split('\n')) {
        const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
        if (!m || m[1] !== name) continue;
        if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) total += Number(m[3]);
      }
      return total;
    },
  };
}

/** A request to the vote site through the gateway (node:http: fetch will not send a Host header). */
function vote(method: 'GET' | 'POST', path: string, ip: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { host: VOTE_HOST, 'x-forwarded-for': ip, 'user-agent': 'scale-test/1.0', ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // Not JSON: left empty.
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function outbox(phone: string): Promise<Array<{ text: string; sentAt: string }>> {
  return (await vote('GET', `/api/v1/dev/sms?phone=${encodeURIComponent(phone)}`, '10.200.0.1')).json['messages'] as Array<{ text: string; sentAt: string }>;
}

async function codeFor(phone: string): Promise<string> {
  let code = '';
  await until(`a code for ${phone.slice(0, 6)}…`, async () => {
    code = /(\d{6})/.exec((await outbox(phone))[0]?.text ?? '')?.[1] ?? '';
    return code !== '';
  }, 20_000, 100);
  return code;
}

const votePorts = () => stack.ports.vote.map((p) => `http://127.0.0.1:${p}`);

beforeAll(async () => {
  // The outbox is read through the gateway many times from one address: no gateway limit in the way.
  stack = await startScaledStack(2, { RATE_LIMIT_VOTE_MAX: '100000', SMS_RATE_PER_SECOND: String(SMS_RATE), AUTH_CODES_PER_IP_PER_HOUR: String(CODES_PER_IP), AUTH_RESEND_SECONDS: '0' });
  await Promise.all(['gateway', 'vote-1', 'vote-2', 'results-1', 'results-2', 'worker-1', 'worker-2'].map((n) => stack.ready(n)));
  // Both vote instances in the gateway's rotation (the probe puts a late starter back).
  await until('both vote instances in rotation', async () => {
    const r = await stack.gatewayJson<{ upstreams: Record<string, Array<{ healthy: boolean }>> }>('/_gateway/ready');
    return (r.upstreams['vote'] ?? []).every((i) => i.healthy) && (r.upstreams['results'] ?? []).every((i) => i.healthy);
  }, 20_000);
}, 240_000);

afterAll(async () => {
  await load?.stop();
  await stack?.close();
}, 120_000);

it('the one-IP rule and the per-address code limit hold across two vote instances', async () => {
  const [a, b, ...rest] = await authMembers(stack, 2 + CODES_PER_IP + 1);
  const before = await metrics(`${stack.gatewayUrl}/_gateway/metrics`);
  // Consecutive requests alternate between the instances (round-robin): each step on another one.
  const ca = await vote('POST', '/api/v1/auth/code', '10.150.0.1', { iin: a!.iin, phone: a!.phone });
  const cb = await vote('POST', '/api/v1/auth/code', '10.150.0.1', { iin: b!.iin, phone: b!.phone });
  expect([ca.status, cb.status]).toEqual([202, 202]);
  const va = await vote('POST', '/api/v1/auth/verify', '10.150.0.1', { challengeId: ca.json['challengeId'], code: await codeFor(a!.phone) });
  expect(va.status).toBe(200);
  const vb = await vote('POST', '/api/v1/auth/verify', '10.150.0.1', { challengeId: cb.json['challengeId'], code: await codeFor(b!.phone) });
  expect({ status: vb.status, body: vb.json }).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'VOTE_ERR_IP_IN_USE' }) } });

  // AUTH_CODES_PER_IP_PER_HOUR codes from one address, spread over both instances, then refused.
  const statuses = [];
  for (const m of rest) statuses.push((await vote('POST', '/api/v1/auth/code', '10.150.0.2', { iin: m.iin, phone: m.phone })).status);
  expect(statuses).toEqual([...Array(CODES_PER_IP).fill(202), 429]);

  const after = await metrics(`${stack.gatewayUrl}/_gateway/metrics`);
  for (const instance of votePorts()) {
    expect(after.value('gateway_upstream_instance_requests_total', { site: 'vote', instance }) - before.value('gateway_upstream_instance_requests_total', { site: 'vote', instance })).toBeGreaterThanOrEqual(4);
  }
}, 90_000);

it('the SMS rate holds with two workers sending', async () => {
  const members = await authMembers(stack, 3 * SMS_RATE + 2);
  const fresh = members.slice(-3 * SMS_RATE);
  // From an address each, so that no per-address limit applies.
  const answers = await Promise.all(fresh.map((m, i) => vote('POST', '/api/v1/auth/code', `10.160.0.${i + 1}`, { iin: m.iin, phone: m.phone })));
  expect(answers.map((r) => r.status)).toEqual(Array(fresh.length).fill(202));
  const sentAt: number[] = [];
  await until('every code sent', async () => {
    sentAt.length = 0;
    for (const m of fresh) {
      const t = (await outbox(m.phone))[0]?.sentAt;
      if (t) sentAt.push(Date.parse(t));
    }
    return sentAt.length === fresh.length;
  }, 30_000, 250);
  sentAt.sort((x, y) => x - y);
  // SMS_RATE per one-second window (Redis), shared by both workers: never more than two windows' worth
  // within a second, and the 15 sends take three windows.
  for (let i = 2 * SMS_RATE; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 2 * SMS_RATE]!).toBeGreaterThanOrEqual(950);
  expect(sentAt[sentAt.length - 1]! - sentAt[0]!).toBeGreaterThanOrEqual((fresh.length / SMS_RATE - 1) * 1000 - 50);
  const sent = await Promise.all(stack.ports.worker.map(async (p) => (await metrics(`http://127.0.0.1:${p}/metrics`)).value('sms_messages_total', { outcome: 'sent' })));
  process.stdout.write(`[scale] codes sent by each worker: ${JSON.stringify(sent)} over ${sentAt[sentAt.length - 1]! - sentAt[0]!} ms\n`);
}, 90_000);

it('2 vote, 2 results, 2 workers under a voting load: a vote instance and a worker killed mid-run; every 202 recorded exactly once', async () => {
  const voters = await signedInVoters(stack, 6000);
  const current = new VotingLoad(stack, voters, { concurrency: 8, pauseMs: 10 });
  load = current;
  current.phase = 'steady';
  current.start();
  await until('300 ballots', () => current.acked.size >= 300, 90_000);
  // Both vote instances took votes, both workers recorded some.
  const gw = await metrics(`${stack.gatewayUrl}/_gateway/metrics`);
  for (const instance of votePorts()) expect(gw.value('gateway_upstream_instance_requests_total', { site: 'vote', instance, outcome: 'ok' })).toBeGreaterThan(50);
  await until('both workers recording', async () => {
    const rec = await Promise.all(stack.ports.worker.map(async (p) => (await metrics(`http://127.0.0.1:${p}/metrics`)).value('votes_recorded_total')));
    return rec.every((n) => n > 0);
  }, 30_000, 500);

  // A vote instance killed with votes in flight: the gateway takes it out; the supervisor brings it back.
  current.phase = 'vote-2 killed';
  await until('votes in flight', () => current.inFlight >= 2, 10_000, 5);
  const votePid = stack.pid('vote-2')!;
  process.kill(votePid, 'SIGKILL');
  await until('vote-2 restarted', () => (stack.pid('vote-2') ?? votePid) !== votePid, 30_000);
  await stack.ready('vote-2');
  await until('vote-2 back in rotation', async () => (await stack.gatewayJson<{ upstreams: Record<string, Array<{ healthy: boolean }>> }>('/_gateway/ready')).upstreams['vote']!.every((i) => i.healthy), 20_000);
  await sleep(2000);

  // A worker killed mid-batch: the other keeps recording; its batch is retried.
  current.phase = 'worker-1 killed';
  const workerPid = stack.pid('worker-1')!;
  const recordedAtKill = await stack.recorded();
  process.kill(workerPid, 'SIGKILL');
  await until('worker-2 recording alone', async () => (await stack.recorded()) > recordedAtKill + 30, 30_000, 200);
  await until('worker-1 restarted', () => (stack.pid('worker-1') ?? workerPid) !== workerPid, 30_000);
  await stack.ready('worker-1');

  // A results instance killed: GETs of the results site (uncached /health) answered by the other.
  current.phase = 'results-2 killed';
  const resultsPid = stack.pid('results-2')!;
  process.kill(resultsPid, 'SIGKILL');
  const resultsAnswers = [];
  for (let i = 0; i < 10; i++) resultsAnswers.push(await httpGet(`${stack.gatewayUrl}/health`, 'localhost'));
  expect(resultsAnswers).toEqual(Array(10).fill(200));
  current.phase = 'after';
  await sleep(2000);

  await current.stop();
  await current.settle();
  const total = current.ackedVotes();
  await until('every acknowledged vote recorded', async () => (await stack.recorded()) >= total, 120_000, 250);
  await until('an empty votes queue', async () => (await stack.queuedBatches()) === 0, 60_000);
  let last = -1;
  await until('the recorded count to settle', async () => {
    const now = await stack.recorded();
    const settled = now === last;
    last = now;
    return settled;
  }, 30_000, 2000);

  const answers = Object.fromEntries([...current.answers].map(([phase, m]) => [phase, Object.fromEntries(m)]));
  const check = await exactlyOnce(stack, current);
  process.stdout.write(`[scale] ${current.acked.size} ballots acknowledged; answers by phase ${JSON.stringify(answers)}; ${JSON.stringify(check)}\n`);
  // Every voter told to come back was answered at last (a dead instance's claims released by
  // the sweep of either worker), and the backlog counter is back to 0.
  expect(current.unansweredCount()).toBe(0);
  expect(await stack.backlog()).toBe(0);
  // No 5xx but 503 with Retry-After, in any phase.
  const bad = Object.entries(answers).flatMap(([phase, m]) => Object.keys(m).filter((k) => !OK.has(k)).map((k) => `${phase}: ${k}`));
  expect(bad).toEqual([]);
  const lostVotes = check.lostAnswersRecorded * 3;
  expect(check).toEqual({
    acknowledged: total,
    receiptsMissing: 0,
    membersWithoutAllContests: 0,
    ballots: total + lostVotes,
    participation: total + lostVotes,
    recordedWithoutAttempt: 0,
    lostAnswersRecorded: check.lostAnswersRecorded,
    lostAnswersNotRecorded: 0,
  });
}, 300_000);
