/**
 * The membership freeze as a window (issue #13; 2020: from 11 September until voting
 * ended). Eligibility counts only admissions before its first day (eligibility.ts); the
 * member import refuses admissions dated inside it; while it runs, a member's status may be
 * changed only by the control committee. Dates are YYYY-MM-DD (UTC days), both ends inclusive.
 */
export interface FreezeWindow {
  start: string;
  end: string;
}

/** What an election row says of its freeze. */
export interface FreezeElection {
  /** The first day (the election's `freeze_date`). */
  freeze_date: string;
  /** The last day; null: until voting ends, the close's day. */
  freeze_end: string | null;
  closes_at: Date;
}

/** The election's window: `freeze_end`, else the day voting closes (so an extension extends the freeze). */
export function freezeWindowOf(e: FreezeElection): FreezeWindow {
  const closeDay = e.closes_at.toISOString().slice(0, 10);
  const end = e.freeze_end ?? (closeDay > e.freeze_date ? closeDay : e.freeze_date);
  return { start: e.freeze_date, end };
}

/** The window holding this day, or null. Zero-padded ISO dates compare as strings. */
export function freezeWindowHolding(day: string, windows: readonly FreezeWindow[]): FreezeWindow | null {
  return windows.find((w) => w.start <= day && day <= w.end) ?? null;
}

/** The one role that may change a member's status while a freeze runs. */
export const FREEZE_STATUS_ROLE = 'control';

/**
 * Whether `role` may change a member's status on `today`: anyone who may otherwise (an
 * organizer, the control committee) outside every window; inside one, only the control
 * committee. Returns the window that refuses it, or null when allowed.
 */
export function statusChangeRefusedBy(role: string, today: string, windows: readonly FreezeWindow[]): FreezeWindow | null {
  if (role === FREEZE_STATUS_ROLE) return null;
  return freezeWindowHolding(today, windows);
}
