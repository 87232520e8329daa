import { buildVoteApp } from '../src/app';
import { type OutageHarness, outageHarness } from './outage-harness';
import { readOutbox } from '@primaries/redis-protocols';
import { waitFor } from '@primaries/testing';
import { loggerOptions } from '@primaries/logger';

/**
 * Issue #8: with Redis or Postgres away the vote path answered 500 VOTE_ERR_INTERNAL with a
 * stack per request, and voting stopped while Postgres was away though a vote needs only
 * Redis to be accepted. Now: 503 + Retry-After with a stable code, one log line when a
 * store goes and one when it is back, and signed-in voters keep voting without Postgres.
 */
jest.setTimeout(90_000);

let h: OutageHarness;
beforeAll(async () => {
  h = await outageHarness();
  await h.startWorker();
});
afterAll(async () => {
  await h?.close();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
let ipSeq = 0;
const ip = () => `10.77.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

function selectionsFor(contests: number[], pick = 0) {
  return contests.map((contestId) => ({ contestId, candidateIds: [h.el.candidates[contestId]![pick]!] }));
}
// Members are in region 0, district 0.
const mine = () => [h.el.contests.national, h.el.contests.region[0]!, h.el.contests.district[0]!];

function vote(app: OutageHarness['app'], token: string, selections: unknown) {
  return app.inject({ method: 'POST', url: '/api/v1/votes', headers: { ...auth(token), 'content-type': 'application/json' }, payload: JSON.stringify({ selections }) });
}

function expectUnavailable(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, what: string) {
  expect({ what, status: res.statusCode, code: (res.json() as { error?: { code?: string } }).error?.code }).toEqual({ what, status: 503, code: 'VOTE_ERR_UNAVAILABLE' });
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
}

/** Lines of the vote app itself (the in-test worker logs through a child with service=worker). */
const voteLines = (...msgs: string[]) => h.lines(...msgs).filter((l) => l['service'] === 'vote');
const stacks = () => h.logLines.filter((l) => /"stack":"[^"]/.test(l));

describe('Redis away', () => {
  it('answers every vote-path route with 503 + Retry-After, logs the outage once, and recovers', async () => {
    const a = await h.addMember();
    const b = await h.addMember();
    const tokenA = await h.login(a, ip());
    const tokenB = await h.login(b, ip());
    const receipt = (await vote(h.app, tokenB, selectionsFor(mine()))).json().receipts[0].receipt as string;
    expect(receipt).toBeDefined();
    const c = await h.addMember();
    const stacksBefore = stacks().length;

    await h.redis.stop();
    const answers = {
      code: await h.app.inject({ method: 'POST', url: '/api/v1/auth/code', headers: { 'x-forwarded-for': ip() }, payload: { iin: c.iin, phone: c.phone } }),
      verify: await h.app.inject({ method: 'POST', url: '/api/v1/auth/verify', payload: { challengeId: 'A'.repeat(22), code: '123456' } }),
      ballot: await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(tokenA) }),
      votes: await vote(h.app, tokenA, selectionsFor(mine())),
      receipt: await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${receipt}` }),
      outbox: await h.app.inject({ method: 'GET', url: `/api/v1/dev/sms?phone=${encodeURIComponent(c.phone)}` }),
    };
    for (const [what, res] of Object.entries(answers)) expectUnavailable(res, what);
    // A second round: still no new log line.
    for (let i = 0; i < 5; i++) expectUnavailable(await vote(h.app, tokenA, selectionsFor(mine())), 'votes again');
    expect((await h.app.inject({ url: '/ready' })).statusCode).toBe(503);
    expect(voteLines('redis unavailable')).toHaveLength(1);
    expect(stacks()).toHaveLength(stacksBefore);

    await h.redis.start();
    await waitFor(async () => (await h.app.inject({ url: '/ready' })).statusCode === 200, { timeoutMs: 20_000, message: 'ready again' });
    expect(voteLines('redis available again')).toHaveLength(1);
    expect((await vote(h.app, tokenA, selectionsFor(mine()))).statusCode).toBe(202);
  });
});

describe('Postgres away', () => {
  it('keeps accepting votes of signed-in voters, answers the rest 503 + Retry-After, and records the votes once it is back', async () => {
    // A second instance, as behind the gateway: it has served someone's ballot, never E.
    const { captureLines } = await import('@primaries/testing');
    const second = captureLines();
    const app2 = await buildVoteApp(h.config, {}, { logger: { ...loggerOptions('vote', 'info'), stream: second.stream } });
    await app2.ready();
    try {
      const d = await h.addMember();
      const e = await h.addMember();
      const f = await h.addMember();
      const tokenD = await h.login(d, ip());
      const tokenE = await h.login(e, ip());
      expect((await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(tokenD) })).statusCode).toBe(200);
      expect((await app2.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(tokenD) })).statusCode).toBe(200);
      const fIp = ip();
      const fCode = await h.app.inject({ method: 'POST', url: '/api/v1/auth/code', headers: { 'x-forwarded-for': fIp }, payload: { iin: f.iin, phone: f.phone } });
      expect(fCode.statusCode).toBe(202);
      await waitFor(async () => (await readOutbox(h.admin, h.config.REDIS_PREFIX, f.phone, 1)).length === 1, { message: "F's code sent" });
      const g = await h.addMember();
      const stacksBefore = stacks().length;

      await h.pg.stop();
      // Votes: accepted into the queue, on the instance that knows D and on the one that never saw E.
      const votedD = await vote(h.app, tokenD, selectionsFor(mine()));
      const votedE = await vote(app2, tokenE, selectionsFor(mine(), 1));
      expect([votedD.statusCode, votedE.statusCode]).toEqual([202, 202]);
      const ballot = await h.app.inject({ method: 'GET', url: '/api/v1/ballot', headers: auth(tokenD) });
      expect(ballot.statusCode).toBe(200);
      expect((ballot.json().contests as Array<{ voted: boolean }>).every((c) => c.voted)).toBe(true);
      expect((await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${votedD.json().receipts[0].receipt}` })).json()).toEqual({ status: 'queued' });
      expect((await vote(h.app, tokenD, selectionsFor(mine()))).statusCode).toBe(409);

      // What needs Postgres: 503 + Retry-After.
      expectUnavailable(await h.app.inject({ method: 'POST', url: '/api/v1/auth/code', headers: { 'x-forwarded-for': ip() }, payload: { iin: g.iin, phone: g.phone } }), 'code');
      const [sms] = await readOutbox(h.admin, h.config.REDIS_PREFIX, f.phone, 1);
      const fVerify = { challengeId: fCode.json().challengeId, code: /(\d{6})/.exec(sms!.text)![1] };
      expectUnavailable(await h.app.inject({ method: 'POST', url: '/api/v1/auth/verify', headers: { 'x-forwarded-for': fIp }, payload: fVerify }), 'verify');
      expectUnavailable(await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${'C'.repeat(22)}` }), 'unknown receipt');
      expect((await h.app.inject({ url: '/ready' })).statusCode).toBe(503);
      expect(voteLines('postgres unavailable')).toHaveLength(1);
      expect(stacks()).toHaveLength(stacksBefore);

      await h.pg.start();
      await waitFor(async () => (await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${votedE.json().receipts[0].receipt}` })).json().status === 'recorded', { timeoutMs: 30_000, message: 'E recorded' });
      expect((await h.app.inject({ method: 'GET', url: `/api/v1/receipts/${votedD.json().receipts[0].receipt}` })).json()).toEqual({ status: 'recorded' });
      await waitFor(() => voteLines('postgres available again').length === 1, { message: 'one recovery line' });
      const rows = await h.db.selectFrom('participation').select(['member_id']).where('member_id', 'in', [d.id, e.id]).execute();
      expect(rows).toHaveLength(6);
    } finally {
      await app2.close();
    }
  });
});
