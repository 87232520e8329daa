import { type Harness, type Upstream, startGateway, startUpstream } from './helpers';

describe('client address and X-Forwarded-*', () => {
  let vote: Upstream;
  let h: Harness;

  beforeAll(async () => {
    vote = await startUpstream('vote');
    // Default TRUSTED_PROXIES outside production: loopback.
    h = await startGateway({ vote: vote.url, results: vote.url });
  });
  afterAll(async () => {
    await h.close();
    await vote.close();
  });

  const seenBy = async (g: Harness, remoteAddress: string, headers: Record<string, string> = {}) => {
    const res = await g.gateway.inject({ method: 'GET', url: '/x', remoteAddress, headers: { host: 'vote.localhost', ...headers } });
    expect(res.statusCode).toBe(200);
    return res.json().headers as Record<string, string>;
  };

  it('ignores a spoofed X-Forwarded-For from an untrusted address and replaces the chain', async () => {
    const headers = await seenBy(h, '203.0.113.5', { 'x-forwarded-for': '10.9.9.9, 198.51.100.1', forwarded: 'for=10.9.9.9', 'x-real-ip': '10.9.9.9' });
    expect(headers['x-forwarded-for']).toBe('203.0.113.5');
    expect(headers['forwarded']).toBeUndefined();
    expect(headers['x-real-ip']).toBeUndefined();
  });

  it('believes X-Forwarded-For from a trusted proxy (loopback)', async () => {
    const headers = await seenBy(h, '127.0.0.1', { 'x-forwarded-for': '198.51.100.7' });
    expect(headers['x-forwarded-for']).toBe('198.51.100.7');
  });

  it('takes the nearest untrusted hop of a chain, not what the client wrote first', async () => {
    const headers = await seenBy(h, '127.0.0.1', { 'x-forwarded-for': '10.9.9.9, 198.51.100.7, 127.0.0.2' });
    expect(headers['x-forwarded-for']).toBe('198.51.100.7');
  });

  it('sends X-Forwarded-Host and X-Forwarded-Proto', async () => {
    const headers = await seenBy(h, '203.0.113.5', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(headers['x-forwarded-host']).toBe('vote.localhost');
    // From an untrusted client the proto claim is ignored too.
    expect(headers['x-forwarded-proto']).toBe('http');
  });

  it('trusts nobody when TRUSTED_PROXIES is empty (production default)', async () => {
    const prod = await startGateway({ vote: vote.url, results: vote.url }, { NODE_ENV: 'production', OPS_TOKEN: 'an-ops-token-of-32-characters-or-more-000' });
    try {
      expect(prod.config.TRUSTED_PROXIES).toEqual([]);
      const headers = await seenBy(prod, '127.0.0.1', { 'x-forwarded-for': '198.51.100.7' });
      expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    } finally {
      await prod.close();
    }
  });

  it('trusts exactly the configured CIDRs', async () => {
    const lb = await startGateway({ vote: vote.url, results: vote.url }, { TRUSTED_PROXIES: '10.0.0.0/8' });
    try {
      expect((await seenBy(lb, '10.1.2.3', { 'x-forwarded-for': '198.51.100.9' }))['x-forwarded-for']).toBe('198.51.100.9');
      expect((await seenBy(lb, '127.0.0.1', { 'x-forwarded-for': '198.51.100.9' }))['x-forwarded-for']).toBe('127.0.0.1');
    } finally {
      await lb.close();
    }
  });
});
