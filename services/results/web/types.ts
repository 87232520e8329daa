/** The results API's answers as the portal reads them (docs/results.md; services/results/src/render.ts). */
export type Level = 'national' | 'region' | 'district';

interface Turnout {
  eligible: number;
  authorized: number;
  voted: number;
}

export interface ContestSummary {
  id: number;
  name: string;
  nameKk: string | null;
  level: Level;
  regionId: number | null;
  region: string | null;
  regionKk: string | null;
  district: string | null;
  districtKk: string | null;
  seats: number;
  ballots: number;
  online: number;
  paper: number;
  pending: number;
}

export interface RemovedCandidate {
  contestId: number;
  candidateId: number;
  name: string;
  nameKk: string | null;
  removedAt: string | null;
  reason: string | null;
}

export interface HourTurnout {
  hour: string;
  voted: number;
  cumulative: number;
}

export interface Summary {
  electionId: number;
  election: { id: number; name: string; nameKk: string | null; opensAt: string; closesAt: string; state: 'upcoming' | 'open' | 'closed' };
  generatedAt: string;
  nextRefreshAt: string;
  final: boolean;
  turnout: Turnout;
  pending: number;
  turnoutByHour?: HourTurnout[];
  removed?: RemovedCandidate[];
  contests: ContestSummary[];
}

export interface RegionTurnout extends Turnout {
  regionId: number;
  regionCode?: string | null;
  region: string;
  regionKk: string | null;
}

export interface Candidate {
  id: number;
  name: string;
  nameKk?: string | null;
  ballotOrder: number;
  votes: number;
  online: number;
  paper: number;
  percent: number;
  rank: number | null;
  woman: boolean;
  youth: boolean;
  removed: boolean;
  removedAt?: string | null;
  removalReason?: string | null;
  womenRank: number | null;
  youthRank: number | null;
}

export interface ContestResult {
  contest: ContestSummary & { maxChoices: number };
  generatedAt: string;
  nextRefreshAt: string;
  final: boolean;
  ballots: number;
  online: number;
  paper: number;
  pending: number;
  candidates: Candidate[];
  ratings: { women: number[]; youth: number[] };
  quotas: { seats: number; women: number; youth: number; womenRequired: number; youthRequired: number; womenMet: boolean; youthMet: boolean };
}
