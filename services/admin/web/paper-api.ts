import type { AdminApi } from './api';

/** The station of a precinct account (`GET /api/v1/paper/station`). */
export interface PaperStation {
  id: number;
  code: string;
  settlement: string;
  address: string | null;
  region: string;
  district: string;
  opensAt: string;
  closesAt: string;
  state: 'before' | 'open' | 'closed';
}

/** A member as the check-in page shows them (`POST /api/v1/paper/lookup`). */
export interface MemberAtStation {
  memberId: string;
  fullName: string;
  onList: boolean;
  eligible: boolean;
  contests: Array<{ id: number; name: string; state: 'open' | 'voted' | 'paper' }>;
  checkin: { id: number; handedOver: boolean } | null;
}

/** The paper ballots' calls of the console (issue #15, docs/paper.md). */
export function paperApi(api: AdminApi) {
  const { get, post } = api.call;
  return {
    station: () => get<{ station: PaperStation }>('/api/v1/paper/station'),
    lookup: (iin: string) => post<{ member: MemberAtStation }>('/api/v1/paper/lookup', { iin }),
    checkIn: (iin: string) => post<{ checkinId: number; contestIds: number[] }>('/api/v1/paper/checkins', { iin }),
    handOver: (id: number) => post<{ ok: true }>(`/api/v1/paper/checkins/${id}/hand-over`),
    undo: (id: number, reason: string) => post<{ ok: true }>(`/api/v1/paper/checkins/${id}/undo`, { reason }),
  };
}
