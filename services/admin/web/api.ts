import type { Lang } from '@primaries/i18n';
import { type ApiResult, apiRequest } from '@primaries/ui';

export type Role = 'organizer' | 'control' | 'precinct' | 'observer';
export const ROLES: readonly Role[] = ['organizer', 'control', 'precinct', 'observer'];

/** A staff account as the API shows it (docs/admin.md). */
export interface StaffView {
  id: number;
  login: string;
  role: Role;
  stationId: number | null;
  enrolled: boolean;
  disabled: boolean;
}

export interface EnrolmentStart {
  staff: StaffView;
  totpSecret: string;
  otpauthUri: string;
  qrSvg: string;
}

/** `GET /api/v1/dashboard` (organizers): the operations figures. */
export interface Dashboard {
  serverTime: string;
  election: { id: number; name: string; state: 'scheduled' | 'open' | 'closed'; opensAt: string; closesAt: string } | null;
  turnout: { voted: number; eligible: number; percent: number };
  votesQueue: { waiting: number; active: number; delayed: number; failed: number };
  deadLetters: { count: number; oldestAt: string | null };
  snapshot: { at: string; ageSeconds: number; final: boolean } | null;
}

/** `GET /api/v1/election/setup` (organizers): the election and its pre-open check. */
export interface SetupCheck {
  election: { id: number; slug: string; name: string; opensAt: string; closesAt: string; editable: boolean };
  problems: Array<{ code: string; message: string; contestId?: number }>;
}

/** An election import's report (preview or import; docs/election-setup.md#from-the-console). */
export interface ImportReport {
  electionId: number;
  rows: Partial<Record<SetupKind, number>>;
  applied: boolean;
  dryRun: boolean;
  counts: Record<SetupKind, { inserted: number; updated: number; deleted?: number }> | null;
  rejects: Array<{ file: string; line: number; reason: string; message: string }>;
}
export type SetupKind = 'regions' | 'districts' | 'contests' | 'candidates';
export type MemberStatus = 'active' | 'expelled' | 'blocked' | 'suspended';

/** The CSRF token of the current session (a new session needs a new one: tokens are bound to it). */
let csrf: string | null = null;

/** Forget the CSRF token: after sign-in and sign-out the session, and so the token, changes. */
export function resetCsrf(): void {
  csrf = null;
}

async function csrfToken(lang: Lang): Promise<string> {
  if (csrf) return csrf;
  const r = await apiRequest<{ token: string }>('/api/v1/csrf', { lang });
  if (!r.ok) throw new Error(`csrf ${r.status}`);
  csrf = r.data.token;
  return csrf;
}

/**
 * The console's calls. Every POST carries the session's CSRF token (fetched once per
 * session; a stale one is fetched again and the call repeated once). `onUnauthenticated`
 * hears of any 401 ADMIN_ERR_UNAUTHENTICATED: the session ended (idle, absolute timeout,
 * signed out elsewhere, account disabled), and the console returns to sign-in.
 */
export function adminApi(lang: Lang, onUnauthenticated: () => void = () => undefined) {
  const watch = <T>(r: ApiResult<T>): ApiResult<T> => {
    if (!r.ok && r.status === 401 && r.error.code === 'ADMIN_ERR_UNAUTHENTICATED') onUnauthenticated();
    return r;
  };
  const get = async <T>(path: string) => watch(await apiRequest<T>(path, { lang }));
  const post = async <T>(path: string, body: unknown = {}): Promise<ApiResult<T>> => {
    const send = async () => apiRequest<T>(path, { lang, method: 'POST', body, headers: { 'x-csrf-token': await csrfToken(lang) } });
    let r = await send();
    if (!r.ok && r.error.code === 'ADMIN_ERR_CSRF') {
      resetCsrf();
      r = await send();
    }
    return watch(r);
  };
  return {
    /** Plain calls for screens that keep their own typed wrappers (paper-api.ts). */
    call: { get, post },
    me: () => get<{ staff: StaffView }>('/api/v1/me'),
    signIn: (login: string, password: string, totp: string) => post<{ staff: StaffView }>('/api/v1/auth/sign-in', { login, password, totp }),
    signOut: () => post<null>('/api/v1/auth/sign-out'),
    signOutEverywhere: () => post<null>('/api/v1/auth/sign-out-everywhere'),
    enrolStart: (token: string) => post<EnrolmentStart>('/api/v1/enrolment/start', { token }),
    enrolComplete: (token: string, password: string, totp: string) => post<{ staff: StaffView }>('/api/v1/enrolment/complete', { token, password, totp }),
    dashboard: () => get<Dashboard>('/api/v1/dashboard'),
    staff: () => get<{ staff: StaffView[] }>('/api/v1/staff'),
    addStaff: (body: { role: Role; login?: string; stationId?: number }) => post<{ staff: StaffView; enrolmentUrl: string; expiresAt: string }>('/api/v1/staff', body),
    disableStaff: (id: number, reason: string) => post<{ staff: StaffView }>(`/api/v1/staff/${id}/disable`, { reason }),
    setupCheck: () => get<SetupCheck>('/api/v1/election/setup'),
    importPreview: (files: Array<{ name: string; content: string }>) => post<ImportReport>('/api/v1/election/import/preview', { files }),
    importConfirm: (files: Array<{ name: string; content: string }>) => post<ImportReport>('/api/v1/election/import', { files }),
    memberStatus: (iin: string, status: MemberStatus, reason: string) =>
      post<{ member: { id: string; status: MemberStatus; previousStatus: MemberStatus }; changed: boolean; duringFreeze: boolean }>('/api/v1/members/status', { iin, status, reason }),
    latestAudit: (limit = 20) => get<{ events: import('@primaries/ui').AuditEvent[]; head: import('@primaries/ui').AuditHead }>(`/api/v1/audit/latest?limit=${limit}`),
  };
}
export type AdminApi = ReturnType<typeof adminApi>;

/** A six-digit code as typed: digits only. */
export const codeMask = (typed: string) => typed.replace(/\D/g, '').slice(0, 6);
