import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('x-request-id', () => {
  let vote: Upstream;
  let h: Harness;

  beforeAll(async () => {
    vote = await startUpstream('vote');
    h = await startGateway({ vote: vote.url, results: vote.url });
  });
  afterAll(async () => {
    await h.close();
    await vote.close();
  });

  it('keeps a sane incoming id, sends it upstream and returns it', async () => {
    const id = 'lb-7f3a9c2e-0001';
    const res = await h.gateway.inject({ method: 'GET', url: '/x', headers: { host: 'vote.localhost', 'x-request-id': id } });
    expect(res.headers['x-request-id']).toBe(id);
    expect(res.json().headers['x-request-id']).toBe(id);
  });

  it('generates one when absent', async () => {
    const res = await h.gateway.inject({ method: 'GET', url: '/x', headers: { host: 'vote.localhost' } });
    const id = res.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(res.json().headers['x-request-id']).toBe(id);
  });

  it.each([
    ['too short', 'abc'],
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'hello world 12345'],
    ['with quotes', '"><script>1234'],
  ])('replaces an insane one (%s)', async (_label, bad) => {
    const res = await h.gateway.inject({ method: 'GET', url: '/x', headers: { host: 'vote.localhost', 'x-request-id': bad } });
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.json().headers['x-request-id']).toBe(res.headers['x-request-id']);
  });

  it('sets it on answers the gateway makes itself', async () => {
    const res = await h.gateway.inject({ method: 'GET', url: '/x', headers: { host: 'nowhere.example', 'x-request-id': 'client-id-123456' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('client-id-123456');
  });
});
