import { freezeWindowHolding, freezeWindowOf, statusChangeRefusedBy } from '../src/freeze-window';

describe('the membership freeze window', () => {
  const closes_at = new Date('2026-10-04T09:00:00Z');
  it('ends on freeze_end, else on the close day (an extension extends it)', () => {
    expect(freezeWindowOf({ freeze_date: '2026-09-11', freeze_end: '2026-09-20', closes_at })).toEqual({ start: '2026-09-11', end: '2026-09-20' });
    expect(freezeWindowOf({ freeze_date: '2026-09-11', freeze_end: null, closes_at })).toEqual({ start: '2026-09-11', end: '2026-10-04' });
    expect(freezeWindowOf({ freeze_date: '2026-09-11', freeze_end: null, closes_at: new Date('2026-10-05T09:00:00Z') }).end).toBe('2026-10-05');
    // A close before the freeze's start: the window is that one day.
    expect(freezeWindowOf({ freeze_date: '2026-09-11', freeze_end: null, closes_at: new Date('2026-09-01T00:00:00Z') })).toEqual({ start: '2026-09-11', end: '2026-09-11' });
  });

  it('holds both of its ends', () => {
    const w = [{ start: '2026-09-11', end: '2026-10-04' }];
    expect(['2026-09-10', '2026-09-11', '2026-10-04', '2026-10-05'].map((d) => freezeWindowHolding(d, w) !== null)).toEqual([false, true, true, false]);
  });

  it('lets only the control committee change a status inside it; anyone allowed outside', () => {
    const w = [{ start: '2026-09-11', end: '2026-10-04' }];
    expect(statusChangeRefusedBy('organizer', '2026-09-20', w)).toEqual(w[0]);
    expect(statusChangeRefusedBy('control', '2026-09-20', w)).toBeNull();
    expect(statusChangeRefusedBy('organizer', '2026-10-05', w)).toBeNull();
    expect(statusChangeRefusedBy('organizer', '2026-10-05', [])).toBeNull();
  });
});
