import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Queue } from 'bullmq';
import { QUEUES, bullPrefix } from '@primaries/queue';
import { createSmallElection } from '@primaries/testing';
import { Client, type Harness, adminHarness, enrolStaff, signIn } from './harness';

/**
 * Bull Board at /queues (issue #12): organizers only, on every request under the prefix
 * (page, static assets, API); read-only; and never a member id, a sealed ballot, a phone
 * number or a code in what it shows.
 */
let h: Harness;
let votes: Queue;
let sms: Queue;
const clients = new Map<string, Client>();
/** A real asset of the board's UI (its file name carries a content hash). */
const asset = `/queues/static/js/${readdirSync(join(dirname(require.resolve('@bull-board/ui/package.json', { paths: [dirname(require.resolve('@bull-board/fastify'))] })), 'dist/static/js')).find((f) => f.endsWith('.js'))}`;

beforeAll(async () => {
  h = await adminHarness('admin_queue_board');
  votes = new Queue(QUEUES.votes, { connection: h.tr.redis, prefix: bullPrefix(h.tr.prefix) });
  sms = new Queue(QUEUES.sms, { connection: h.tr.redis, prefix: bullPrefix(h.tr.prefix) });
  const election = await createSmallElection(h.tdb.db);
  const station = await h.tdb.db
    .insertInto('polling_stations')
    .values({ election_id: election.electionId, district_id: election.districtIds[0]!, code: 'S1', settlement: 'Aul', address: null, opens_at: new Date(), closes_at: new Date(Date.now() + 3600_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const role of ['organizer', 'control', 'precinct', 'observer'] as const) {
    clients.set(role, await signIn(h, await enrolStaff(h, role, role === 'precinct' ? { stationId: station.id } : {})));
  }
  const anonymous = new Client(h.app);
  await anonymous.fetchCsrf();
  clients.set('anonymous', anonymous);
});
afterAll(async () => {
  await votes.close();
  await sms.close();
  await h.close();
});

const PATHS = ['/queues', '/queues/', '/queues/api/queues', '/queues/api/redis/stats'];

it('serves the board, its assets and its API to an organizer', async () => {
  const c = clients.get('organizer')!;
  const page = await c.get('/queues');
  expect(page.statusCode).toBe(200);
  expect(page.headers['content-type']).toMatch(/text\/html/);
  expect(page.body).toContain('<base href="/queues/"');
  expect((await c.get(asset)).statusCode).toBe(200);
  const api = await c.get('/queues/api/queues');
  expect(api.statusCode).toBe(200);
  expect(api.json().queues.map((q: { name: string }) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
});

it.each(['control', 'precinct', 'observer'])('refuses %s (403) everywhere under /queues', async (role) => {
  for (const url of [...PATHS, asset]) {
    const res = await clients.get(role)!.get(url);
    expect([url, res.statusCode, res.json().error.code]).toEqual([url, 403, 'ADMIN_ERR_FORBIDDEN']);
  }
});

it('refuses anyone not signed in (401) everywhere under /queues', async () => {
  for (const url of [...PATHS, asset, '/queues/static/nothing-here.js']) {
    const res = await clients.get('anonymous')!.get(url);
    expect([url, res.statusCode, res.json().error.code]).toEqual([url, 401, 'ADMIN_ERR_UNAUTHENTICATED']);
  }
});

it('shows jobs without member ids, sealed ballots, phones or codes', async () => {
  const sealed = `k1.${'A'.repeat(60)}`;
  await votes.add('vote-batch', { batchId: '6f1c3f7e-0000-4000-8000-000000000001', votes: [{ memberId: '4242424242', contestId: 1, receiptHash: 'a'.repeat(64), sealed }] });
  await sms.add('codes', { messages: [{ to: '+77011234567', text: 'code 918273', expiresAt: Date.now() + 60_000 }] });
  const c = clients.get('organizer')!;
  for (const queue of [QUEUES.votes, QUEUES.sms]) {
    const res = await c.get(`/queues/api/queues?activeQueue=${queue}&status=waiting&page=1`);
    expect(res.statusCode).toBe(200);
    const shown = res.json().queues.find((q: { name: string }) => q.name === queue);
    expect(shown.jobs).toHaveLength(1);
    const id = shown.jobs[0].id;
    const one = await c.get(`/queues/api/queues/${queue}/${id}`);
    for (const body of [res.body, one.body]) {
      for (const secret of ['4242424242', sealed, '7011234567', '918273']) expect(body).not.toContain(secret);
    }
  }
  expect((await c.get(`/queues/api/queues?activeQueue=${QUEUES.votes}&status=waiting&page=1`)).json().queues.find((q: { name: string }) => q.name === QUEUES.votes).jobs[0].data).toEqual({ batchId: '6f1c3f7e-0000-4000-8000-000000000001', votes: 1 });
});

it('is read-only: no retry, clean, pause, empty or add, even for an organizer with the CSRF token', async () => {
  const c = clients.get('organizer')!;
  const q = `/queues/api/queues/${QUEUES.votes}`;
  for (const [method, url] of [['PUT', `${q}/retry/failed`], ['PUT', `${q}/clean/waiting`], ['PUT', `${q}/pause`], ['PUT', `${q}/empty`], ['PUT', '/queues/api/queues/pause'], ['POST', `${q}/add`]] as const) {
    const res = await c.request(method, url, { name: 'x', data: {} });
    expect([url, res.statusCode, res.json().error.code]).toEqual([url, 403, 'ADMIN_ERR_FORBIDDEN']);
  }
  expect(await votes.getJobCounts('waiting')).toEqual({ waiting: 1 });
  expect(await votes.isPaused()).toBe(false);
});
