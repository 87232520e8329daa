import { SmsRejectedError, rehearsalProvider } from '@primaries/queue';
import { type AuthHarness, authHarness } from './auth-harness';

/**
 * The rehearsal SMS provider and the route `pnpm loadtest` reads synthetic members' codes
 * through: only rehearsal numbers, only with the deployment's token (docs/loadtest.md).
 */
const TOKEN = 'rehearsal-token-of-at-least-32-characters';
let h: AuthHarness;

beforeAll(async () => {
  h = await authHarness('rehearsal', { NODE_ENV: 'development', SMS_PROVIDER: 'rehearsal', REHEARSAL_TOKEN: TOKEN });
});
afterAll(async () => h?.close());

const read = (phone: string, token?: string) =>
  h.app.inject({ method: 'GET', url: `/api/v1/rehearsal/sms?phone=${encodeURIComponent(phone)}`, headers: token === undefined ? {} : { 'x-rehearsal-token': token } });

it('delivers to rehearsal numbers only, and the route gives them to the token holder', async () => {
  const provider = rehearsalProvider(h.tr.redis, h.tr.prefix);
  await provider.send({ to: '+77009123456', text: 'code 123456' });
  await expect(provider.send({ to: '+77011234567', text: 'code 654321' })).rejects.toBeInstanceOf(SmsRejectedError);

  const ok = await read('+77009123456', TOKEN);
  expect(ok.statusCode).toBe(200);
  expect(ok.json().messages.map((m: { text: string }) => m.text)).toEqual(['code 123456']);
  // Without the token, or with a wrong one, the route is not there.
  expect((await read('+77009123456')).statusCode).toBe(404);
  expect((await read('+77009123456', `${TOKEN}x`)).statusCode).toBe(404);
  // A real member's number is never read here.
  const real = await read('+77011234567', TOKEN);
  expect(real.statusCode).toBe(400);
  expect(real.json().error.code).toBe('VOTE_ERR_VALIDATION');
  // The development outbox route is not there with the rehearsal provider.
  expect((await h.app.inject({ method: 'GET', url: '/api/v1/dev/sms?phone=%2B77009123456' })).statusCode).toBe(404);
});
