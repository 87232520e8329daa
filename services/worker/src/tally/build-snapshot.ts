import { type Kysely, sql } from 'kysely';
import { type Database, paperProgress } from '@primaries/db';
import { checkQuotas, competitionRanks, countedVotes, formPartyList, isYouth } from '@primaries/domain';
import { snapshotDecisions } from './decisions';
import type { CandidateResult, ContestResult, HourTurnout, RegionTurnout, SnapshotDraft } from '@primaries/results-model';

export interface BuildOptions {
  /** Tally this election; by default the one that opens last (the current one). */
  electionId?: number;
  /** Overrides the election's results_refresh_seconds (RESULTS_REFRESH_SECONDS). */
  refreshSeconds?: number;
  now?: Date;
  /** Votes still in the queue (the backlog counter): part of `pending`. */
  queued?: number;
}

/** The election the tally is for: the given one, or the one that opens last. */
export async function findElection(db: Kysely<Database>, electionId?: number) {
  let q = db.selectFrom('elections').selectAll().orderBy('opens_at', 'desc').orderBy('id', 'desc').limit(1);
  if (electionId !== undefined) q = q.where('id', '=', electionId);
  return q.executeTakeFirst();
}

type Counts = Map<number, Map<number, number>>;

function add(counts: Counts, contestId: number, candidateId: number, n: number) {
  let m = counts.get(contestId);
  if (!m) counts.set(contestId, (m = new Map<number, number>()));
  m.set(candidateId, (m.get(candidateId) ?? 0) + n);
}

/**
 * Computes the results snapshot of one election from Postgres: one pass over the ballots'
 * marks (unnest + group by contest, candidate), a count of ballots per contest, the accepted
 * paper protocols, and turnout by region, all concurrently. Returns null when there is no election.
 */
export async function buildSnapshot(db: Kysely<Database>, opts: BuildOptions = {}): Promise<SnapshotDraft | null> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const election = await findElection(db, opts.electionId);
  if (!election) return null;

  const [regions, districts, contests, candidates] = await Promise.all([
    db.selectFrom('regions').select(['id', 'code', 'name', 'name_kk']).execute(),
    db.selectFrom('districts').select(['id', 'name', 'name_kk']).execute(),
    db.selectFrom('contests').selectAll().where('election_id', '=', election.id).orderBy('id').execute(),
    db
      .selectFrom('candidates')
      .innerJoin('contests', 'contests.id', 'candidates.contest_id')
      .select(['candidates.id', 'candidates.contest_id', 'candidates.full_name', 'candidates.full_name_kk', 'candidates.gender', 'candidates.birth_date', 'candidates.ballot_order', 'candidates.status', 'candidates.removed_at', 'candidates.removal_reason'])
      .where('contests.election_id', '=', election.id)
      .orderBy('candidates.contest_id')
      .orderBy('candidates.ballot_order')
      .execute(),
  ]);
  const contestIds = contests.map((c) => c.id);
  const paper = paperProgress(db, election.id);
  paper.catch(() => undefined); // awaited below; a failure before then must not go unhandled

  const [online, onlineBallots, paperVotes, paperBallots, turnoutRows, sealed] = await Promise.all([
    // One pass over the ballots' marks: unnest in the select list (ProjectSet) and a hash
    // aggregate, split over parallel workers. Measured cheaper in CPU than a lateral
    // unnest, or than folding the ballot count in as a pseudo-mark (docs/bench/results.md).
    sql<{ contest_id: number; candidate_id: number; n: number }>`
      select contest_id, candidate_id, count(*)::int as n
      from (select contest_id, unnest(marks) as candidate_id from ballots where contest_id = any(${contestIds}::int[])) m
      group by 1, 2`.execute(db),
    sql<{ contest_id: number; n: number }>`
      select contest_id, count(*)::int as n from ballots where contest_id = any(${contestIds}::int[]) group by 1`.execute(db),
    sql<{ contest_id: number; candidate_id: number; n: number }>`
      select pp.contest_id, v.candidate_id, sum(v.votes)::int as n
      from paper_protocols pp join paper_protocol_votes v on v.protocol_id = pp.id
      where pp.status = 'accepted' and pp.contest_id = any(${contestIds}::int[])
      group by 1, 2`.execute(db),
    // Valid paper ballots: cast minus spoiled, from accepted protocols only.
    sql<{ contest_id: number; n: number }>`
      select contest_id, sum(greatest(ballots_cast - ballots_spoiled, 0))::int as n
      from paper_protocols
      where status = 'accepted' and contest_id = any(${contestIds}::int[])
      group by 1`.execute(db),
    // Turnout by region and by the hour of each voter's first participation, in one pass:
    // a row per (region, hour), the hour null for members who have not voted.
    sql<{ region_id: number; hour: Date | null; eligible: number; authorized: number; voted: number }>`
      with a as (select distinct member_id from authorizations where election_id = ${election.id}),
           v as (select member_id, min(recorded_hour) as hour from participation where contest_id = any(${contestIds}::int[]) group by member_id)
      select m.region_id, v.hour,
             count(*) filter (where m.status = 'active' and m.admitted_at < ${election.freeze_date}::date)::int as eligible,
             count(a.member_id)::int as authorized,
             count(v.member_id)::int as voted
      from members m
      left join a on a.member_id = m.id
      left join v on v.member_id = m.id
      group by 1, 2`.execute(db),
    // Recorded but not yet released (sealed): pending, not counted.
    sql<{ contest_id: number; n: number }>`
      select contest_id, count(*)::int as n from sealed_ballots where contest_id = any(${contestIds}::int[]) group by 1`.execute(db),
  ]);
  const sealedByContest = new Map(sealed.rows.map((r) => [r.contest_id, r.n]));

  const onlineCounts: Counts = new Map();
  for (const r of online.rows) add(onlineCounts, r.contest_id, r.candidate_id, r.n);
  const onlineBallotCounts = new Map(onlineBallots.rows.map((r) => [r.contest_id, r.n]));
  const paperCounts: Counts = new Map();
  for (const r of paperVotes.rows) add(paperCounts, r.contest_id, r.candidate_id, r.n);
  const paperBallotCounts = new Map(paperBallots.rows.map((r) => [r.contest_id, r.n]));

  const regionById = new Map(regions.map((r) => [r.id, r]));
  const districtById = new Map(districts.map((d) => [d.id, d]));
  const candidatesByContest = new Map<number, typeof candidates>();
  for (const c of candidates) {
    const list = candidatesByContest.get(c.contest_id) ?? [];
    list.push(c);
    candidatesByContest.set(c.contest_id, list);
  }

  const contestResults: ContestResult[] = contests.map((contest) => {
    const on = onlineCounts.get(contest.id);
    const pa = paperCounts.get(contest.id);
    const onlineBallotsN = onlineBallotCounts.get(contest.id) ?? 0;
    const paperBallotsN = paperBallotCounts.get(contest.id) ?? 0;
    const ballots = onlineBallotsN + paperBallotsN;
    const rows = (candidatesByContest.get(contest.id) ?? []).map((c) => {
      const removed = c.status === 'removed';
      // A removed candidate leaves the results: their marks are not counted (the rule: packages/domain control.ts).
      const o = countedVotes(c.status, on?.get(c.id) ?? 0);
      const p = countedVotes(c.status, pa?.get(c.id) ?? 0);
      return {
        id: c.id,
        name: c.full_name,
        nameKk: c.full_name_kk,
        ballotOrder: c.ballot_order,
        votes: o + p,
        online: o,
        paper: p,
        percent: ballots > 0 ? Math.round(((o + p) / ballots) * 10000) / 100 : 0,
        woman: c.gender === 'F',
        youth: isYouth(c.birth_date, election.election_day),
        removed,
        removedAt: removed && c.removed_at ? new Date(c.removed_at).toISOString() : null,
        removalReason: removed ? c.removal_reason : null,
      };
    });
    const active = rows.filter((r) => !r.removed);
    const rankOf = (group: typeof active) => {
      const ranks = competitionRanks(group.map((r) => r.votes));
      return new Map(group.map((r, i) => [r.id, ranks[i] as number]));
    };
    const overall = rankOf(active);
    const women = rankOf(active.filter((r) => r.woman));
    const youth = rankOf(active.filter((r) => r.youth));
    const results: CandidateResult[] = rows.map((r) => ({
      ...r,
      rank: overall.get(r.id) ?? null,
      womenRank: women.get(r.id) ?? null,
      youthRank: youth.get(r.id) ?? null,
    }));
    // Rating order: by rank, ties by ballot order; removed candidates last, unranked.
    results.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.ballotOrder - b.ballotOrder);
    const top = results.filter((r) => !r.removed).slice(0, contest.seats);
    const region = contest.region_id !== null ? regionById.get(contest.region_id) : undefined;
    const district = contest.district_id !== null ? districtById.get(contest.district_id) : undefined;
    return {
      id: contest.id,
      name: contest.name,
      nameKk: contest.name_kk,
      level: contest.level,
      regionId: contest.region_id,
      region: region?.name ?? null,
      regionKk: region?.name_kk ?? null,
      districtId: contest.district_id,
      district: district?.name ?? null,
      districtKk: district?.name_kk ?? null,
      seats: contest.seats,
      maxChoices: contest.max_choices,
      ballots,
      online: onlineBallotsN,
      paper: paperBallotsN,
      pending: sealedByContest.get(contest.id) ?? 0,
      candidates: results,
      quotas: { ...checkQuotas(top, contest.seats), top: top.map((r) => r.id) },
      partyList: formPartyList(results, contest.seats),
    };
  });

  // Regions of this election: those its contests name (members elsewhere are not its voters).
  const electionRegionIds = new Set(contests.map((c) => c.region_id).filter((id): id is number => id !== null));
  const regionSet = electionRegionIds.size ? electionRegionIds : null;
  const byRegion = new Map<number, { eligible: number; authorized: number; voted: number }>();
  const byHour = new Map<number, number>();
  for (const r of turnoutRows.rows) {
    const t = byRegion.get(r.region_id) ?? { eligible: 0, authorized: 0, voted: 0 };
    byRegion.set(r.region_id, { eligible: t.eligible + r.eligible, authorized: t.authorized + r.authorized, voted: t.voted + r.voted });
    if (r.hour !== null && r.voted > 0 && (!regionSet || regionSet.has(r.region_id))) {
      const h = new Date(r.hour).getTime();
      byHour.set(h, (byHour.get(h) ?? 0) + r.voted);
    }
  }
  let cumulative = 0;
  const turnoutByHour: HourTurnout[] = [...byHour.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([h, voted]) => ({ hour: new Date(h).toISOString(), voted, cumulative: (cumulative += voted) }));
  const turnoutByRegion: RegionTurnout[] = [...electionRegionIds]
    .map((id) => {
      const r = byRegion.get(id);
      const region = regionById.get(id);
      return {
        regionId: id,
        regionCode: region?.code ?? null,
        region: region?.name ?? String(id),
        regionKk: region?.name_kk ?? null,
        eligible: r?.eligible ?? 0,
        authorized: r?.authorized ?? 0,
        voted: r?.voted ?? 0,
      };
    })
    .sort((a, b) => a.region.localeCompare(b.region));
  const turnout = [...byRegion.entries()]
    .filter(([id]) => !regionSet || regionSet.has(id))
    .map(([, r]) => r)
    .reduce((t, r) => ({ eligible: t.eligible + r.eligible, authorized: t.authorized + r.authorized, voted: t.voted + r.voted }), { eligible: 0, authorized: 0, voted: 0 });

  const refreshSeconds = opts.refreshSeconds ?? election.results_refresh_seconds;
  const opensAt = new Date(election.opens_at);
  const closesAt = new Date(election.closes_at);
  const closed = election.closed_at !== null || now >= closesAt;
  // The party-control committee's public record goes out with every snapshot (issue #14).
  const decisions = await snapshotDecisions(db, election.id);
  return {
    electionId: election.id,
    decisions,
    election: {
      id: election.id,
      name: election.name,
      nameKk: election.name_kk,
      opensAt: opensAt.toISOString(),
      closesAt: closesAt.toISOString(),
      state: closed ? 'closed' : now >= opensAt ? 'open' : 'upcoming',
    },
    generatedAt: now.toISOString(),
    nextRefreshAt: new Date(now.getTime() + refreshSeconds * 1000).toISOString(),
    refreshSeconds,
    final: election.results_published_at !== null,
    buildMs: Math.round(performance.now() - started),
    turnout,
    turnoutByRegion,
    // Accepted online but not yet released into the count: sealed, plus still queued.
    pending: sealed.rows.reduce((n, r) => n + r.n, 0) + (opts.queued ?? 0),
    turnoutByHour,
    paper: await paper,
    contests: contestResults,
  };
}
