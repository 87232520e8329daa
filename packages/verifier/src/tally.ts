import type { ContestResult, Problem, SnapshotBody } from './types';

/** Per contest: ballots and marks per candidate, recomputed from the archive. */
export interface Recount {
  online: Map<number, { ballots: number; marks: Map<number, number> }>;
  paper: Map<number, { ballots: number; votes: Map<number, number> }>;
}

/** Lines of a CSV file after its header row (the archive's files have no quoting). */
function rows(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.slice(1);
}

/** Reads one contest's ballots file, checking every ballot against the contest's rules. */
export function countBallots(contest: ContestResult, text: string, problems: Problem[]): { ballots: number; marks: Map<number, number> } {
  const candidates = new Set(contest.candidates.map((c) => c.id));
  const marks = new Map<number, number>();
  let ballots = 0;
  for (const line of rows(text)) {
    ballots++;
    const ids = line === '' ? [] : line.split(' ').map(Number);
    const bad = ids.find((id) => !candidates.has(id));
    if (bad !== undefined) problems.push({ check: 'tally', message: `contest ${contest.id}: ballot ${ballots} marks ${Number.isInteger(bad) ? `candidate ${bad}, not one of the contest's` : `"${line}"`}` });
    else if (new Set(ids).size !== ids.length) problems.push({ check: 'tally', message: `contest ${contest.id}: ballot ${ballots} marks a candidate twice` });
    else if (ids.length > contest.maxChoices) problems.push({ check: 'tally', message: `contest ${contest.id}: ballot ${ballots} marks ${ids.length} candidates, more than ${contest.maxChoices}` });
    else for (const id of ids) marks.set(id, (marks.get(id) ?? 0) + 1);
  }
  return { ballots, marks };
}

/** Reads the accepted paper protocols: valid ballots (cast − spoiled, once per protocol) and votes per candidate, per contest. */
export function countPaper(text: string): Recount['paper'] {
  const out: Recount['paper'] = new Map();
  const seen = new Set<string>();
  for (const line of rows(text)) {
    const [station, contest, cast, spoiled, candidate, votes] = line.split(',');
    const contestId = Number(contest);
    const c = out.get(contestId) ?? { ballots: 0, votes: new Map<number, number>() };
    out.set(contestId, c);
    if (!seen.has(`${station},${contest}`)) {
      seen.add(`${station},${contest}`);
      c.ballots += Math.max(Number(cast) - Number(spoiled), 0);
    }
    if (candidate) c.votes.set(Number(candidate), (c.votes.get(Number(candidate)) ?? 0) + Number(votes));
  }
  return out;
}

/** Compares the snapshot's figures with the recount, contest by contest and candidate by candidate. */
export function compareTally(body: SnapshotBody, recount: Recount): Problem[] {
  const problems: Problem[] = [];
  for (const c of body.contests) {
    const online = recount.online.get(c.id) ?? { ballots: 0, marks: new Map<number, number>() };
    const paper = recount.paper.get(c.id) ?? { ballots: 0, votes: new Map<number, number>() };
    const say = (what: string, published: number, recounted: number) => {
      if (published !== recounted) problems.push({ check: 'tally', message: `contest ${c.id} (${c.name}): ${what} published ${published}, recounted ${recounted}` });
    };
    say('online ballots', c.online, online.ballots);
    say('paper ballots', c.paper, paper.ballots);
    say('ballots', c.ballots, online.ballots + paper.ballots);
    for (const x of c.candidates) {
      // A removed candidate's marks are not counted (docs/results.md): 0 whatever the ballots say.
      const on = x.removed ? 0 : (online.marks.get(x.id) ?? 0);
      const pa = x.removed ? 0 : (paper.votes.get(x.id) ?? 0);
      say(`candidate ${x.id} (${x.name}) online votes`, x.online, on);
      say(`candidate ${x.id} (${x.name}) paper votes`, x.paper, pa);
      say(`candidate ${x.id} (${x.name}) votes`, x.votes, on + pa);
    }
  }
  return problems;
}

/**
 * Ballots against turnout: no contest has more ballots than members who voted where it is
 * held (the region for regional and district contests, everywhere for the national list), nor
 * more than are eligible there.
 */
export function checkTurnout(body: SnapshotBody): Problem[] {
  const problems: Problem[] = [];
  const regions = new Map(body.turnoutByRegion.map((r) => [r.regionId, r]));
  for (const c of body.contests) {
    const where = c.regionId === null ? { name: 'the election', voted: body.turnout.voted, eligible: body.turnout.eligible } : { name: `region ${regions.get(c.regionId)?.region ?? c.regionId}`, voted: regions.get(c.regionId)?.voted ?? 0, eligible: regions.get(c.regionId)?.eligible ?? 0 };
    if (c.ballots > where.voted) problems.push({ check: 'turnout', message: `contest ${c.id} (${c.name}): ${c.ballots} ballots but ${where.voted} members voted in ${where.name}` });
    if (c.ballots > where.eligible) problems.push({ check: 'turnout', message: `contest ${c.id} (${c.name}): ${c.ballots} ballots but ${where.eligible} members are eligible in ${where.name}` });
  }
  const sumRegions = body.turnoutByRegion.reduce((n, r) => n + r.voted, 0);
  if (body.turnoutByRegion.length > 0 && sumRegions !== body.turnout.voted) problems.push({ check: 'turnout', message: `turnout: ${body.turnout.voted} voted in all, but the regions add up to ${sumRegions}` });
  return problems;
}
