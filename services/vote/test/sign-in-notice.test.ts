import { authHarness, expectNoSecrets, type AuthHarness } from './auth-harness';
import { waitFor } from '@primaries/testing';

// Every successful sign-in sends the member an SMS (issue #11): a member whose code was
// taken by someone else learns of it. Kazakh and Russian, the time, the hotline.
describe('the sign-in notice', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    h = await authHarness('signinnotice', { HOTLINE_PHONE: '+7 717 255 55 55' });
    await h.startSms();
  });
  afterAll(() => h?.close());

  const outbox = async (phone: string) =>
    (await h.app.inject({ url: `/api/v1/dev/sms?phone=${encodeURIComponent(phone)}` })).json<{ messages: Array<{ text: string }> }>().messages.map((m) => m.text);

  it('queues "signed in at HH:MM; if this wasn\'t you, call …" after the token, and nothing after a wrong code', async () => {
    const m = await h.addMember();
    const res = await h.requestCode(m, '10.44.0.1');
    const code = await h.codeFor(m.phone);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect((await h.verify(res.body['challengeId'] as string, wrong, '10.44.0.1')).status).toBe(401);
    const before = Date.now();
    expect((await h.verify(res.body['challengeId'] as string, code, '10.44.0.1')).status).toBe(200);
    await waitFor(async () => (await outbox(m.phone)).length === 2, { message: 'the notice in the outbox' });
    const [notice, codeSms] = await outbox(m.phone);
    expect(codeSms).toContain(code);
    // Both languages, the hotline, and the time of day in Kazakhstan (UTC+5), HH:MM.
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Almaty', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const times = [hhmm.format(before), hhmm.format(Date.now())];
    expect(notice).toMatch(/кіру жасалды/);
    expect(notice).toMatch(/вход для голосования/);
    expect(notice).toContain('+7 717 255 55 55');
    expect(times.some((t) => notice!.includes(t))).toBe(true);
    expect(notice).not.toContain(code);
    expectNoSecrets(h.logLines, [m.iin, m.phone, code]);
  });
});
