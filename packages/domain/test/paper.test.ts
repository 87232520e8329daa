import { checkProtocol, paperWindowState, parseStationRow, protocolEntriesMatch } from '../src';

describe('paperWindowState (server time decides)', () => {
  const s = { opensAt: new Date('2026-10-03T02:00:00Z'), closesAt: new Date('2026-10-03T08:00:00Z') };
  it.each([
    ['2026-10-03T01:59:59.999Z', 'before'],
    ['2026-10-03T02:00:00Z', 'open'],
    ['2026-10-03T07:59:59.999Z', 'open'],
    ['2026-10-03T08:00:00Z', 'closed'],
  ])('%s → %s', (at, state) => expect(paperWindowState(s, new Date(at))).toBe(state));
});

describe('checkProtocol', () => {
  const ctx = { maxChoices: 2, checkins: 3, candidateIds: [1, 2] };
  const p = (over: object = {}, votes: Array<[number, number]> = [[1, 3], [2, 3]]) => ({ received: 5, issued: 3, found: 3, spoiled: 0, votes: new Map(votes), ...over });
  it('accepts figures that add up (votes up to (found − spoiled) × max choices)', () => expect(checkProtocol(p(), ctx)).toEqual([]));
  it('names every broken relation', () => {
    expect(checkProtocol(p({ spoiled: 1 }), ctx)).toEqual([{ code: 'VOTES_OVER_LIMIT', limit: 4 }]);
    expect(checkProtocol(p({ received: 2, issued: 3, found: 4 }), ctx).map((x) => x.code)).toEqual(['ISSUED_OVER_RECEIVED', 'FOUND_OVER_ISSUED']);
    expect(checkProtocol(p({ issued: 4, received: 5 }), ctx)).toEqual([{ code: 'ISSUED_NOT_CHECKINS', checkins: 3 }]);
    expect(checkProtocol(p({}, [[1, 1], [9, 1]]), ctx)).toEqual([{ code: 'UNKNOWN_CANDIDATE', candidateId: 9 }, { code: 'MISSING_CANDIDATE', candidateId: 2 }]);
  });
  it('two entries match only when every figure does', () => {
    expect(protocolEntriesMatch(p(), p())).toBe(true);
    expect(protocolEntriesMatch(p(), p({}, [[1, 3], [2, 2]]))).toBe(false);
    expect(protocolEntriesMatch(p(), p({ spoiled: 1 }))).toBe(false);
  });
});

describe('parseStationRow', () => {
  const row = { code: 'PS-1', settlement: 'Aul', region: 'AKM', district: 'D1', address: '', opens_at: '2026-10-03T08:00+06:00', closes_at: '2026-10-03T14:00+06:00' };
  it('reads times with an offset, and refuses them without one', () => {
    expect(parseStationRow(row)).toMatchObject({ ok: true, row: { address: null, opensAt: new Date('2026-10-03T02:00:00Z') } });
    expect(parseStationRow({ ...row, opens_at: '2026-10-03 08:00' })).toMatchObject({ ok: false, reason: 'hours_invalid' });
    expect(parseStationRow({ ...row, closes_at: '2026-10-03T07:00+06:00' })).toMatchObject({ ok: false, reason: 'hours_order' });
  });
});
