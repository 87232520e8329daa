import type { Redis } from 'ioredis';
import { type Snapshot, resultsKeys, snapshotSchema } from '@primaries/results-model';

/** A small hand-made snapshot, as the worker would publish it (fields left out take the schema's defaults). */
export function makeSnapshot(version: number, overrides: Partial<Snapshot> = {}): Snapshot {
  const now = Date.now();
  const hour = Math.floor(now / 3600_000) * 3600_000;
  return snapshotSchema.parse({
    version,
    electionId: 7,
    election: { id: 7, name: 'Primaries 2026', nameKk: 'Праймериз 2026', opensAt: new Date(now - 86400_000).toISOString(), closesAt: new Date(now + 86400_000).toISOString(), state: 'open' },
    generatedAt: new Date(now).toISOString(),
    nextRefreshAt: new Date(now + 600_000).toISOString(),
    refreshSeconds: 600,
    final: false,
    buildMs: 12,
    turnout: { eligible: 100, authorized: 60, voted: 40 },
    pending: 0,
    turnoutByRegion: [
      { regionId: 1, regionCode: 'AKM', region: 'Akmola', regionKk: 'Ақмола', eligible: 60, authorized: 40, voted: 30 },
      { regionId: 2, regionCode: 'ALA', region: 'Almaty', regionKk: 'Алматы', eligible: 40, authorized: 20, voted: 10 },
    ],
    turnoutByHour: [
      { hour: new Date(hour - 2 * 3600_000).toISOString(), voted: 25, cumulative: 25 },
      { hour: new Date(hour - 3600_000).toISOString(), voted: 10, cumulative: 35 },
      { hour: new Date(hour).toISOString(), voted: 5, cumulative: 40 },
    ],
    contests: [
      {
        id: 11, name: 'National list', nameKk: 'Республикалық тізім', level: 'national', regionId: null, region: null, regionKk: null,
        districtId: null, district: null, districtKk: null, seats: 2, maxChoices: 2, ballots: 40, online: 35, paper: 5, pending: 0,
        candidates: [
          { id: 101, name: 'Aigerim A', nameKk: 'Әйгерім А', ballotOrder: 1, votes: 30, online: 27, paper: 3, percent: 75, rank: 1, woman: true, youth: true, removed: false, womenRank: 1, youthRank: 1 },
          { id: 102, name: 'Bolat B', ballotOrder: 2, votes: 20, online: 18, paper: 2, percent: 50, rank: 2, woman: false, youth: false, removed: false, womenRank: null, youthRank: null },
          { id: 103, name: 'Dana C', ballotOrder: 3, votes: 5, online: 5, paper: 0, percent: 12.5, rank: 3, woman: true, youth: false, removed: false, womenRank: 2, youthRank: null },
          { id: 104, name: 'Erlan D', ballotOrder: 4, votes: 0, online: 0, paper: 0, percent: 0, rank: null, woman: false, youth: false, removed: true, removedAt: new Date(now - 3600_000).toISOString(), removalReason: 'Skipped the mandatory debates', womenRank: null, youthRank: null },
        ],
        quotas: { seats: 2, top: [101, 102], women: 1, youth: 1, womenRequired: 1, youthRequired: 1, womenShare: 0.5, youthShare: 0.5, womenMet: true, youthMet: true },
      },
      {
        id: 12, name: 'Akmola council', nameKk: 'Ақмола мәслихаты', level: 'region', regionId: 1, region: 'Akmola', regionKk: 'Ақмола',
        districtId: null, district: null, districtKk: null, seats: 2, maxChoices: 2, ballots: 30, online: 30, paper: 0, pending: 0,
        candidates: [
          { id: 201, name: 'Gulnar G', ballotOrder: 1, votes: 10, online: 10, paper: 0, percent: 33.33, rank: 1, woman: true, youth: false, removed: false, womenRank: 1, youthRank: null },
          { id: 202, name: 'Marat M', ballotOrder: 2, votes: 8, online: 8, paper: 0, percent: 26.67, rank: 2, woman: false, youth: false, removed: false, womenRank: null, youthRank: null },
        ],
        quotas: { seats: 2, top: [201, 202], women: 1, youth: 0, womenRequired: 1, youthRequired: 1, womenShare: 0.5, youthShare: 0, womenMet: true, youthMet: false },
      },
    ],
    ...overrides,
  });
}

/** Publishes like the worker does: version key and pointer in one MULTI, then a notification. */
export async function publish(redis: Redis, prefix: string, snapshot: Snapshot): Promise<void> {
  const keys = resultsKeys(prefix);
  await redis.multi().set(keys.version(snapshot.version), JSON.stringify(snapshot)).set(keys.current, String(snapshot.version)).publish(keys.channel, String(snapshot.version)).exec();
}
