import { authHarness, type AuthHarness } from './auth-harness';

// The election's rules: the list of Kazakh mobile codes lives in configuration (PHONE_MOBILE_CODES),
// so a new operator code needs no release.
describe('PHONE_MOBILE_CODES', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    h = await authHarness('phonecodes', { PHONE_MOBILE_CODES: '709' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('accepts a code only when configured', async () => {
    // 709 is not in the default list, but is configured here: the number is well formed,
    // and (not being a member's) gets the ordinary refusal rather than a 400.
    const configured = await h.requestCode({ iin: h.strangerIin(), phone: '+7 709 123 45 67' }, '10.9.0.1');
    expect(configured.status).toBe(403);
    expect((configured.body as { error: { code: string } }).error.code).toBe('VOTE_ERR_AUTH_REJECTED');
    // 701 is in the default list but not in this configuration.
    const unlisted = await h.requestCode({ iin: h.strangerIin(), phone: '+7 701 123 45 67' }, '10.9.0.2');
    expect(unlisted.status).toBe(400);
    expect((unlisted.body as { error: { code: string } }).error.code).toBe('VOTE_ERR_VALIDATION');
  });
});
