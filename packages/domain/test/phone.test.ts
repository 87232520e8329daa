import { normalizePhone } from '../src/phone';

describe('normalizePhone', () => {
  it.each([
    ['8 701 234 56 78', '+77012345678'],
    ['+7 701 234-56-78', '+77012345678'],
    ['7 (747) 123 45 67', '+77471234567'],
    ['7781234567', '+77781234567'],
    ['87851234567', '+77851234567'],
  ])('%s → %s', (input, out) => {
    expect(normalizePhone(input)).toBe(out);
  });

  it.each(['+87011234567', '7201234567', '+7 727 123 45 67', '8701234567', '+770123456789', 'abc', '', '+7 709 123 45 67'])('rejects %s', (input) => {
    expect(normalizePhone(input)).toBeNull();
  });

  it('uses the configured code list', () => {
    expect(normalizePhone('7091234567', ['709'])).toBe('+77091234567');
  });
});
