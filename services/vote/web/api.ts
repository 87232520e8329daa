import type { Lang } from '@primaries/i18n';
import { type ApiResult, apiRequest } from '@primaries/ui';

/** GET /api/v1/ballot, as docs/voting.md describes it (names in the Accept-Language asked for). */
export interface Ballot {
  election: { id: number; name: string; opensAt: string; closesAt: string; state: 'scheduled' | 'open' | 'closed' };
  contests: Contest[];
}
export interface Contest {
  id: number;
  name: string;
  level: 'national' | 'region' | 'district';
  maxChoices: number;
  voted: boolean;
  candidates: Candidate[];
}
export interface Candidate {
  id: number;
  name: string;
  gender: 'F' | 'M';
  birthDate: string;
  occupation: string | null;
  /** Added for the voter site: where the candidate is from, the age band and the under-35 mark. */
  region?: string | null;
  ageGroup?: string;
  youth?: boolean;
}

export interface Challenge {
  challengeId: string;
  expiresInSeconds: number;
  resendInSeconds: number;
}
export interface ContestReceipt {
  contestId: number;
  receipt: string;
}
export type ReceiptStatus = 'queued' | 'recorded' | 'counted' | 'rejected';

/** The votes answer: one receipt per contest ballot (docs/voting.md). */
interface VoteAnswer {
  receipts: ContestReceipt[];
  status: 'queued';
}

/** The vote site's API, in the page's language. */
export function voteApi(lang: Lang) {
  return {
    requestCode: (iin: string, phone: string) => apiRequest<Challenge>('/api/v1/auth/code', { lang, method: 'POST', body: { iin, phone } }),
    verify: (challengeId: string, code: string) => apiRequest<{ token: string; expiresAt: string }>('/api/v1/auth/verify', { lang, method: 'POST', body: { challengeId, code } }),
    ballot: (token: string) => apiRequest<Ballot>('/api/v1/ballot', { lang, token }),
    vote: (token: string, selections: ReadonlyArray<{ contestId: number; candidateIds: number[] }>) =>
      apiRequest<VoteAnswer>('/api/v1/votes', { lang, token, method: 'POST', body: { selections } }),
    receipt: (receipt: string) => apiRequest<{ status: ReceiptStatus; snapshot?: number }>(`/api/v1/receipts/${encodeURIComponent(receipt)}`, { lang }),
  };
}

/** The server's clock from an answer's Date header (the window is decided by server time). */
export function serverTime(r: ApiResult<unknown>): Date {
  const d = Date.parse(r.headers.get('date') ?? '');
  return Number.isNaN(d) ? new Date() : new Date(d);
}

export const RECEIPT_PATTERN = /^[A-Za-z0-9_-]{22}$/;
