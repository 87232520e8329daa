import { MEMBER_CSV_COLUMNS, parseIsoDate, parseMemberRow } from '../src/member-row';

const good = {
  iin: '791028302728',
  phone: '8 (701) 234-56-78',
  full_name: '  Ахметов   Серик Маратович ',
  gender: 'm',
  birth_date: '1979-10-28',
  region: 'AKM',
  district: 'AKM-01',
  primary_org: 'ППО № 1',
  admitted_at: '2005-03-01',
  status: 'Active',
};
const today = '2026-11-21';

describe('member register row', () => {
  it('names the ten CSV columns', () => {
    expect(MEMBER_CSV_COLUMNS).toEqual(['iin', 'phone', 'full_name', 'gender', 'birth_date', 'region', 'district', 'primary_org', 'admitted_at', 'status']);
  });

  it('accepts a good row and normalises phone, name, gender and status', () => {
    expect(parseMemberRow(good, { today })).toEqual({
      ok: true,
      row: { ...good, phone: '+77012345678', full_name: 'Ахметов Серик Маратович', gender: 'M', status: 'active' },
    });
  });

  it.each([
    [{ iin: '791028302729' }, 'iin_invalid'],
    [{ iin: '79102830272' }, 'iin_invalid'],
    [{ phone: '+7 727 123 45 67' }, 'phone_invalid'],
    [{ phone: '+1 701 234 5678' }, 'phone_invalid'],
    [{ full_name: '   ' }, 'full_name_invalid'],
    [{ full_name: 'x'.repeat(301) }, 'full_name_invalid'],
    [{ gender: 'X' }, 'gender_invalid'],
    [{ birth_date: '1979-02-30' }, 'birth_date_invalid'],
    [{ birth_date: '28.10.1979' }, 'birth_date_invalid'],
    [{ birth_date: '2027-01-01' }, 'birth_date_invalid'],
    [{ admitted_at: '2026-13-01' }, 'admitted_at_invalid'],
    [{ admitted_at: '1970-01-01' }, 'admitted_at_invalid'],
    [{ status: 'retired' }, 'status_invalid'],
    [{ region: '' }, 'region_missing'],
    [{ district: ' ' }, 'district_missing'],
    [{ primary_org: '' }, 'primary_org_invalid'],
  ])('refuses %o as %s', (change, reason) => {
    const result = parseMemberRow({ ...good, ...change }, { today });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message).not.toMatch(/\d{12}/);
    }
  });

  it('uses the configured mobile codes', () => {
    expect(parseMemberRow({ ...good, phone: '+77271234567' }, { today, codes: ['727'] }).ok).toBe(true);
    expect(parseMemberRow(good, { today, codes: ['727'] }).ok).toBe(false);
  });

  it('parses only real dates from 1900 to today', () => {
    expect(parseIsoDate('2024-02-29', today)).toBe('2024-02-29');
    expect(parseIsoDate('2023-02-29', today)).toBeNull();
    expect(parseIsoDate('1899-12-31', today)).toBeNull();
    expect(parseIsoDate(today, today)).toBe(today);
  });
});
