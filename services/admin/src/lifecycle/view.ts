import type { Kysely } from 'kysely';
import { z } from 'zod';
import { type Database, type LifecycleElectionRow, findLifecycleElection, findStaffById, listFinalProtocols, pendingCloseRequest } from '@primaries/db';
import { electionPhase, electionTimes } from '@primaries/domain';

const iso = z.string().describe('ISO 8601');
export const electionLifecycleView = z.object({
  id: z.number().int(),
  name: z.string(),
  nameKk: z.string().nullable(),
  phase: z.enum(['draft', 'scheduled', 'open', 'closed', 'published']).describe('By the server\'s clock (docs/lifecycle.md)'),
  opensAt: iso,
  closesAt: iso.describe('The planned close (moved by an extension)'),
  openedAt: iso.nullable(),
  closedAt: iso.nullable().describe('Set by an early close'),
  scheduledAt: iso.nullable(),
  publishedAt: iso.nullable(),
});

export const closeRequestView = z.object({
  id: z.number().int(),
  requestedBy: z.object({ id: z.number().int(), login: z.string() }),
  reason: z.string(),
  requestedAt: iso,
  expiresAt: iso,
});

const protocolView = z.object({
  contestId: z.number().int(),
  format: z.enum(['csv', 'pdf']),
  sha256: z.string(),
  snapshotVersion: z.number().int(),
  snapshotSha256: z.string(),
});

export const lifecycleAnswer = z.object({
  serverTime: iso,
  election: electionLifecycleView,
  closeRequest: closeRequestView.nullable().describe('An early close waiting for a second organizer'),
  protocols: z.array(protocolView).describe('Made by the worker once the results are published'),
});

/** An election row as the console shows it. */
export function toElectionView(e: LifecycleElectionRow, now: Date = new Date()): z.infer<typeof electionLifecycleView> {
  const times = electionTimes(e);
  const s = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: e.id,
    name: e.name,
    nameKk: e.name_kk,
    phase: electionPhase(times, now),
    opensAt: times.opensAt.toISOString(),
    closesAt: times.closesAt.toISOString(),
    openedAt: s(times.openedAt),
    closedAt: s(times.closedAt),
    scheduledAt: s(times.scheduledAt),
    publishedAt: s(times.publishedAt),
  };
}

/** Everything the console's lifecycle screen shows; undefined when there is no such election. */
export async function lifecycleOf(db: Kysely<Database>, electionId: number): Promise<z.infer<typeof lifecycleAnswer> | undefined> {
  const now = new Date();
  const e = await findLifecycleElection(db, electionId);
  if (!e) return undefined;
  const [request, protocols] = await Promise.all([pendingCloseRequest(db, electionId, now), listFinalProtocols(db, electionId)]);
  const requester = request && (await findStaffById(db, request.requested_by));
  return {
    serverTime: now.toISOString(),
    election: toElectionView(e, now),
    closeRequest:
      request && requester
        ? { id: request.id, requestedBy: { id: requester.id, login: requester.login }, reason: request.reason, requestedAt: request.requested_at.toISOString(), expiresAt: request.expires_at.toISOString() }
        : null,
    protocols: protocols.map((p) => ({ contestId: p.contest_id, format: p.format, sha256: p.sha256, snapshotVersion: p.snapshot_version, snapshotSha256: p.snapshot_sha256 })),
  };
}
