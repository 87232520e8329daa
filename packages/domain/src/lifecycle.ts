import { windowState } from './ballot';

/** An election's stage (issue #13): draft → scheduled → open → closed → published. */
export type ElectionPhase = 'draft' | 'scheduled' | 'open' | 'closed' | 'published';

export interface ElectionTimes {
  opensAt: Date;
  closesAt: Date;
  openedAt: Date | null;
  closedAt: Date | null;
  /** When an organizer scheduled it; null while a draft. */
  scheduledAt: Date | null;
  /** results_published_at. */
  publishedAt: Date | null;
}

/** The election's phase by server time, from the one window rule (windowState). */
export function electionPhase(e: ElectionTimes, now: Date = new Date()): ElectionPhase {
  const window = windowState(e, now);
  if (window === 'closed') return e.publishedAt ? 'published' : 'closed';
  if (window === 'open') return 'open';
  return e.scheduledAt === null ? 'draft' : 'scheduled';
}

/** The close that counts: an early close (closed_at before the plan) or the planned close. */
export function effectiveClose(e: Pick<ElectionTimes, 'closesAt' | 'closedAt'>): Date {
  return e.closedAt && e.closedAt.getTime() < e.closesAt.getTime() ? e.closedAt : e.closesAt;
}

/** Row columns as the database gives them → ElectionTimes. */
export function electionTimes(row: {
  opens_at: Date | string;
  closes_at: Date | string;
  opened_at: Date | string | null;
  closed_at: Date | string | null;
  scheduled_at: Date | string | null;
  results_published_at: Date | string | null;
}): ElectionTimes {
  const d = (v: Date | string | null) => (v === null ? null : new Date(v));
  return {
    opensAt: new Date(row.opens_at),
    closesAt: new Date(row.closes_at),
    openedAt: d(row.opened_at),
    closedAt: d(row.closed_at),
    scheduledAt: d(row.scheduled_at),
    publishedAt: d(row.results_published_at),
  };
}
