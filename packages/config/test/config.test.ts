import { ConfigError, LOOPBACK_PROXIES, configKeys, loadConfig, mobileCodesFromEnv } from '../src';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const g = loadConfig('gateway', {});
    expect(g.GATEWAY_PORT).toBe(8080);
    expect(g.VOTE_HOST).toBe('vote.localhost');
    expect(g.RESULTS_HOST).toBe('localhost');
    expect(g.TRUSTED_PROXIES).toEqual(LOOPBACK_PROXIES);
  });

  it('trusts no proxy by default in production', () => {
    expect(loadConfig('gateway', { NODE_ENV: 'production' }).TRUSTED_PROXIES).toEqual([]);
    expect(loadConfig('gateway', { NODE_ENV: 'production', TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.1' }).TRUSTED_PROXIES).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });

  it('refuses the outbox SMS provider in production', () => {
    expect(() => loadConfig('vote', { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig('vote', { NODE_ENV: 'production' })).toThrow(/SMS_PROVIDER: outbox is refused/);
    expect(() => loadConfig('worker', { NODE_ENV: 'production' })).toThrow(/outbox is refused/);
    expect(loadConfig('vote', { NODE_ENV: 'production', SMS_PROVIDER: 'http', SMS_HTTP_URL: 'https://sms.example/send' }).SMS_PROVIDER).toBe('http');
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
