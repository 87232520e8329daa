import { isValidIin, makeIin, parseIin } from '../src/iin';

describe('IIN', () => {
  it.each(['791028302728', '061211600012', '880229400003'])('accepts the valid example %s', (iin) => {
    expect(isValidIin(iin)).toBe(true);
  });

  it('rejects a wrong check digit, wrong length and non-digits', () => {
    expect(isValidIin('791028302729')).toBe(false);
    expect(isValidIin('79102830272')).toBe(false);
    expect(isValidIin('7910283027280')).toBe(false);
    expect(isValidIin('79102830272a')).toBe(false);
  });

  it('reads the soft birth date and sex', () => {
    expect(parseIin('791028302728')).toEqual({ birthDate: '1979-10-28', gender: 'M' });
    expect(parseIin('061211600012')).toEqual({ birthDate: '2006-12-11', gender: 'F' });
    // Soft rule: an impossible date still leaves the checksum in charge.
    expect(parseIin('991399000000').birthDate).toBeNull();
  });

  it('builds valid IINs, or null when the serial can never check', () => {
    let built = 0;
    for (let s = 0; s < 200; s++) {
      const iin = makeIin('1990-04-15', s % 2 ? 'F' : 'M', s);
      if (iin) {
        built++;
        expect(isValidIin(iin)).toBe(true);
        expect(parseIin(iin).birthDate).toBe('1990-04-15');
      }
    }
    expect(built).toBeGreaterThan(150);
  });
});
