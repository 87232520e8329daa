import { makeIin } from '../src/iin';
import { parseCandidateRow, parseContestRow, parseDistrictRow, parseRegionRow, placeKey } from '../src/election-setup';

const today = '2026-12-03';

describe('election setup rows', () => {
  it('reads regions and districts, an empty Kazakh name meaning "the same"', () => {
    expect(parseRegionRow({ code: ' AKM ', name_ru: 'Акмолинская  область', name_kk: '' })).toEqual({ ok: true, row: { code: 'AKM', name: 'Акмолинская область', nameKk: null } });
    expect(parseRegionRow({ code: 'A B', name_ru: 'x' })).toMatchObject({ ok: false, reason: 'code_invalid' });
    expect(parseDistrictRow({ code: 'AKM-01', region: 'AKM', name_ru: 'Кокшетау', name_kk: 'Көкшетау', kind: 'City' })).toMatchObject({ ok: true, row: { kind: 'city', region: 'AKM' } });
    expect(parseDistrictRow({ code: 'AKM-01', region: '', name_ru: 'Кокшетау', kind: 'city' })).toMatchObject({ ok: false, reason: 'region_missing' });
  });

  it('derives the contest level from its place', () => {
    const c = (region: string, district: string) => parseContestRow({ region, district, name_ru: 'C', seats: '3', max_marks: '5' });
    expect(c('', '')).toMatchObject({ ok: true, row: { level: 'national', region: null, district: null, seats: 3, maxMarks: 5 } });
    expect(c('AKM', '')).toMatchObject({ ok: true, row: { level: 'region' } });
    expect(c('AKM', 'AKM-01')).toMatchObject({ ok: true, row: { level: 'district' } });
    expect(c('', 'AKM-01')).toMatchObject({ ok: false, reason: 'district_without_region' });
    expect(parseContestRow({ region: '', district: '', name_ru: 'C', seats: '2.5', max_marks: '5' })).toMatchObject({ ok: false, reason: 'seats_invalid' });
    expect(placeKey({ region: 'AKM', district: 'AKM-01' })).toBe('D:AKM/AKM-01');
  });

  it('reads gender and birth date from the IIN when the columns are empty; the columns win when given', () => {
    const iin = makeIin('2001-07-15', 'F', 12) ?? makeIin('2001-07-15', 'F', 13)!;
    const base = { region: '', district: '', ballot_order: '1', full_name_ru: 'Имя' };
    expect(parseCandidateRow({ ...base, iin }, today)).toMatchObject({ ok: true, row: { gender: 'F', birthDate: '2001-07-15', iin } });
    expect(parseCandidateRow({ ...base, iin, gender: 'm', birth_date: '2001-07-16' }, today)).toMatchObject({ ok: true, row: { gender: 'M', birthDate: '2001-07-16' } });
    expect(parseCandidateRow({ ...base, gender: 'F' }, today)).toMatchObject({ ok: false, reason: 'birth_date_missing' });
    expect(parseCandidateRow({ ...base, iin: '791028302729' }, today)).toMatchObject({ ok: false, reason: 'iin_invalid' });
  });
});
