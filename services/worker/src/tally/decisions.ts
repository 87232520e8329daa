import type { Kysely } from 'kysely';
import { type Database, publicDecisions } from '@primaries/db';
import type { PublicDecision } from '@primaries/results-model';

/** The public record of the party-control committee for the snapshot (issue #14). */
export async function snapshotDecisions(db: Kysely<Database>, electionId: number): Promise<PublicDecision[]> {
  const rows = await publicDecisions(db, electionId);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as PublicDecision['kind'],
    decidedAt: new Date(r.decided_at).toISOString(),
    reason: r.reason_code,
    candidate: r.candidate_id !== null && r.contest_id !== null ? { id: r.candidate_id, contestId: r.contest_id, name: r.candidate_name ?? '', nameKk: r.candidate_name_kk ?? null } : null,
    member: r.member_org !== null ? { region: r.member_region ?? null, regionKk: r.member_region_kk ?? null, organisation: r.member_org } : null,
  }));
}
