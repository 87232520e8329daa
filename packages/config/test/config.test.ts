import { ConfigError, DEVELOPMENT_BALLOT_KEY_ID, LOOPBACK_PROXIES, configKeys, loadConfig, mobileCodesFromEnv, redisSentinelOptions } from '../src';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const g = loadConfig('gateway', {});
    expect(g.GATEWAY_PORT).toBe(8080);
    expect(g.VOTE_HOST).toBe('vote.localhost');
    expect(g.RESULTS_HOST).toBe('localhost');
    expect(g.TRUSTED_PROXIES).toEqual(LOOPBACK_PROXIES);
  });

  it('trusts no proxy by default in production', () => {
    const ops = { OPS_TOKEN: 'an-ops-token-of-32-characters-or-more-000' };
    expect(loadConfig('gateway', { NODE_ENV: 'production', ...ops }).TRUSTED_PROXIES).toEqual([]);
    expect(loadConfig('gateway', { NODE_ENV: 'production', ...ops, TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1' }).TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });

  it('refuses the outbox SMS provider in production', () => {
    expect(() => loadConfig('vote', { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig('vote', { NODE_ENV: 'production' })).toThrow(/SMS_PROVIDER: outbox is refused/);
    expect(() => loadConfig('worker', { NODE_ENV: 'production' })).toThrow(/outbox is refused/);
    // (BALLOT_KEYS and AUTH_CODE_PEPPER too: production refuses to start without them.)
    expect(loadConfig('vote', { NODE_ENV: 'production', SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://sms.example/send', BALLOT_KEYS: `k:${Buffer.alloc(32).toString('base64')}`, AUTH_CODE_PEPPER: 'x'.repeat(32) }).SMS_PROVIDER).toBe('http');
  });

  it('refuses the rehearsal SMS provider in production, and wants its token elsewhere', () => {
    const production = { NODE_ENV: 'production', BALLOT_KEYS: `k:${Buffer.alloc(32).toString('base64')}`, AUTH_CODE_PEPPER: 'x'.repeat(32), REHEARSAL_TOKEN: 'r'.repeat(32) };
    expect(() => loadConfig('vote', { ...production, SMS_PROVIDER: 'rehearsal' })).toThrow(/SMS_PROVIDER: rehearsal is refused when NODE_ENV=production/);
    expect(() => loadConfig('worker', { ...production, SMS_PROVIDER: 'rehearsal' })).toThrow(/SMS_PROVIDER: rehearsal is refused/);
    expect(() => loadConfig('vote', { SMS_PROVIDER: 'rehearsal' })).toThrow(/REHEARSAL_TOKEN: required when SMS_PROVIDER=rehearsal/);
    expect(() => loadConfig('vote', { SMS_PROVIDER: 'rehearsal', REHEARSAL_TOKEN: 'short' })).toThrow(/REHEARSAL_TOKEN: at least 32/);
    expect(loadConfig('vote', { NODE_ENV: 'development', SMS_PROVIDER: 'rehearsal', REHEARSAL_TOKEN: 'r'.repeat(32) }).SMS_PROVIDER).toBe('rehearsal');
    expect(loadConfig('worker', { NODE_ENV: 'development', SMS_PROVIDER: 'rehearsal' }).SMS_PROVIDER).toBe('rehearsal');
  });

  it('requires SMS_HTTP_URL for the http provider', () => {
    expect(() => loadConfig('vote', { SMS_PROVIDER: 'http' })).toThrow(/SMS_HTTP_URL/);
  });

  it('names every bad variable at once and freezes the result', () => {
    let message = '';
    try {
      loadConfig('gateway', { GATEWAY_PORT: 'eighty', REDIS_URL: 'not a url' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/GATEWAY_PORT/);
    expect(message).toMatch(/REDIS_URL/);
    const c = loadConfig('results', {});
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig('vote', { VOTE_PORT: '' }).VOTE_PORT).toBe(3001);
  });

  it('keeps the results service away from Postgres', () => {
    expect(configKeys('results')).not.toContain('DATABASE_URL');
    expect(configKeys('worker')).toContain('RESULTS_REFRESH_SECONDS');
  });
});

describe('BALLOT_KEYS, BALLOT_RELEASE_MIN, DEAD_LETTER_TTL_SECONDS', () => {
  const key = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

  it('parses the sealing keys, the first one sealing, for the vote service and the worker', () => {
    const two = `${key},k0:${Buffer.alloc(32, 2).toString('base64')}`;
    expect(loadConfig('vote', { BALLOT_KEYS: two }).BALLOT_KEYS.map((k) => k.id)).toEqual(['k1', 'k0']);
    expect(loadConfig('worker', { BALLOT_KEYS: key }).BALLOT_KEYS[0]!.key).toEqual(Buffer.alloc(32, 1));
  });

  it('refuses to run in production without them, and names a bad key without printing it', () => {
    const prod = { NODE_ENV: 'production', SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://sms.example/send' };
    expect(() => loadConfig('vote', prod)).toThrow(/BALLOT_KEYS: required when NODE_ENV=production/);
    expect(() => loadConfig('worker', prod)).toThrow(/BALLOT_KEYS: required/);
    // (AUTH_CODE_PEPPER too since issue #8: production refuses to start without it.)
    expect(loadConfig('vote', { ...prod, BALLOT_KEYS: key, AUTH_CODE_PEPPER: 'x'.repeat(32) }).BALLOT_KEYS).toHaveLength(1);
    const short = Buffer.alloc(16, 9).toString('base64');
    expect(() => loadConfig('worker', { BALLOT_KEYS: `k:${short}` })).toThrow(/16 bytes, expected 32/);
    try {
      loadConfig('worker', { BALLOT_KEYS: `k:${short}` });
    } catch (err) {
      expect((err as Error).message).not.toContain(short);
    }
  });

  it('outside production, falls back to the publicly known development key', () => {
    expect(loadConfig('vote', {}).BALLOT_KEYS.map((k) => k.id)).toEqual([DEVELOPMENT_BALLOT_KEY_ID]);
    expect(loadConfig('worker', {}).BALLOT_KEYS[0]!.key).toEqual(loadConfig('vote', {}).BALLOT_KEYS[0]!.key);
  });

  it('releases in groups of 100 by default, dead letters expire after 7 days', () => {
    const w = loadConfig('worker', {});
    expect(w.BALLOT_RELEASE_MIN).toBe(100);
    expect(w.DEAD_LETTER_TTL_SECONDS).toBe(7 * 86400);
    expect(() => loadConfig('worker', { BALLOT_RELEASE_MIN: '0' })).toThrow(/BALLOT_RELEASE_MIN/);
  });
});

describe('PHONE_MOBILE_CODES', () => {
  it('defaults to the Kazakh mobile codes and accepts a configured list', () => {
    expect(loadConfig('vote', {}).PHONE_MOBILE_CODES).toContain('747');
    expect(loadConfig('vote', { PHONE_MOBILE_CODES: '700, 747,785' }).PHONE_MOBILE_CODES).toEqual(['700', '747', '785']);
    expect(mobileCodesFromEnv({ PHONE_MOBILE_CODES: '709' })).toEqual(['709']);
  });

  it('refuses anything but 3-digit codes', () => {
    expect(() => loadConfig('vote', { PHONE_MOBILE_CODES: '70,747' })).toThrow(/PHONE_MOBILE_CODES/);
    expect(() => mobileCodesFromEnv({ PHONE_MOBILE_CODES: 'abc' })).toThrow(/PHONE_MOBILE_CODES/);
  });
});

describe('REDIS_SENTINELS', () => {
  it('is off by default: clients connect to REDIS_URL itself', () => {
    const c = loadConfig('results', {});
    expect(c.REDIS_SENTINELS).toBeUndefined();
    expect(redisSentinelOptions(c)).toEqual({});
    expect(redisSentinelOptions('redis://127.0.0.1:6379')).toEqual({});
  });

  it('gives every service ioredis sentinel options when set', () => {
    const env = { REDIS_SENTINELS: 'redis-sentinel-0.redis:26379, 10.0.0.7:26380,[fd00::5]:26381,sentinel', REDIS_SENTINEL_NAME: 'primaries' };
    for (const service of ['gateway', 'vote', 'results', 'worker'] as const) {
      expect(configKeys(service)).toEqual(expect.arrayContaining(['REDIS_SENTINELS', 'REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD']));
      expect(redisSentinelOptions(loadConfig(service, env))).toEqual({
        sentinels: [
          { host: 'redis-sentinel-0.redis', port: 26379 },
          { host: '10.0.0.7', port: 26380 },
          { host: 'fd00::5', port: 26381 },
          { host: 'sentinel', port: 26379 },
        ],
        name: 'primaries',
      });
    }
  });

  it('defaults the master name and passes the sentinels\' password only when given', () => {
    expect(redisSentinelOptions(loadConfig('gateway', { REDIS_SENTINELS: 's:26379' })).name).toBe('mymaster');
    expect(redisSentinelOptions(loadConfig('gateway', { REDIS_SENTINELS: 's:26379', REDIS_SENTINEL_PASSWORD: 'pw' })).sentinelPassword).toBe('pw');
    expect(redisSentinelOptions(loadConfig('gateway', { REDIS_SENTINELS: 's:26379' }))).not.toHaveProperty('sentinelPassword');
  });

  it('refuses addresses that are not host:port', () => {
    expect(() => loadConfig('vote', { REDIS_SENTINELS: 'a:26379,b:port' })).toThrow(/REDIS_SENTINELS: "b:port" is not host:port/);
    expect(() => loadConfig('vote', { REDIS_SENTINELS: 'a:99999' })).toThrow(/REDIS_SENTINELS/);
    expect(() => loadConfig('vote', { REDIS_SENTINELS: ' , ' })).toThrow(/REDIS_SENTINELS: names no sentinel/);
    expect(() => loadConfig('vote', { REDIS_SENTINELS: 'a', REDIS_SENTINEL_NAME: 'two words' })).toThrow(/REDIS_SENTINEL_NAME/);
  });
});

describe('ADMIN_TOTP_KEYS', () => {
  const secret = { ADMIN_SECRET: 'a'.repeat(32) };
  it('is required in production, and a known development key stands in elsewhere', () => {
    expect(() => loadConfig('admin', { NODE_ENV: 'production', ...secret })).toThrow(/ADMIN_TOTP_KEYS: required/);
    const keys = loadConfig('admin', { NODE_ENV: 'production', ...secret, ADMIN_TOTP_KEYS: `t2:${Buffer.alloc(32, 1).toString('base64')},t1:${Buffer.alloc(32, 2).toString('base64')}` }).ADMIN_TOTP_KEYS;
    expect(keys.map((k) => [k.id, k.key.length])).toEqual([['t2', 32], ['t1', 32]]);
    expect(loadConfig('admin', {}).ADMIN_TOTP_KEYS.map((k) => k.id)).toEqual([DEVELOPMENT_BALLOT_KEY_ID]);
    expect(() => loadConfig('admin', { ADMIN_TOTP_KEYS: 't1:c2hvcnQ=' })).toThrow(/expected 32/);
  });
});
