import type { CandidateResult, ContestResult, Snapshot } from '@primaries/results-model';

/** How the party list is formed, stated in every protocol (the portal states the same). */
export const PARTY_LIST_RULE = {
  ru: 'Список заполняет места программы по рейтингу; не менее 30 % — женщины и не менее 20 % — моложе 35 лет (с округлением вверх): избранные с самыми низкими местами, нарушающие квоту, уступают следующим подходящим кандидатам.',
  kk: 'Тізім бағдарлама орындарын рейтинг бойынша толтырады; кемінде 30 % — әйелдер, кемінде 20 % — 35 жасқа толмағандар (жоғары қарай дөңгелектенеді): квотаны бұзатын ең төмен орындағы сайланғандар келесі лайықты кандидаттарға орын береді.',
  en: 'The list fills the contest’s seats from the rating; at least 30 % women and at least 20 % under 35 (rounded up): the lowest-ranked elected who break a quota give way to the next qualifying candidates.',
} as const;

/**
 * Everything one contest's protocol states (issue #13), taken from the final snapshot: the
 * builders below only lay it out. `signingKey` is for the election's public key once
 * snapshots are signed (issue #16).
 */
export interface ProtocolData {
  election: { id: number; name: string; nameKk: string | null; opensAt: string; closesAt: string };
  contest: ContestResult;
  /** The election's turnout (members), from the same snapshot. */
  turnout: Snapshot['turnout'];
  snapshot: { version: number; generatedAt: string; sha256: string };
  publishedAt: string;
  signingKey?: { id: string; publicKey: string } | null;
}

/** One line of a rating: the candidate and their place in it. */
export interface RatingLine {
  place: number;
  candidate: CandidateResult;
}

/** The overall, women's and under-35s' ratings in place order (removed candidates are left out: they have no place). */
export function ratings(contest: ContestResult): { overall: RatingLine[]; women: RatingLine[]; youth: RatingLine[] } {
  const by = (place: (c: CandidateResult) => number | null) =>
    contest.candidates
      .flatMap((candidate) => {
        const p = place(candidate);
        return p === null ? [] : [{ place: p, candidate }];
      })
      .sort((a, b) => a.place - b.place || a.candidate.ballotOrder - b.candidate.ballotOrder);
  return { overall: by((c) => c.rank), women: by((c) => c.womenRank), youth: by((c) => c.youthRank) };
}

/** Removed candidates, with when and why (they are not ranked). */
export function removed(contest: ContestResult): CandidateResult[] {
  return contest.candidates.filter((c) => c.removed);
}

/** The candidate's name as the protocol writes it: Russian, and the Kazakh spelling when it differs. */
export function candidateName(c: CandidateResult): string {
  return c.nameKk && c.nameKk !== c.name ? `${c.name} / ${c.nameKk}` : c.name;
}

/** The data for each contest of a final snapshot. */
export function protocolsData(snapshot: Snapshot, sha256: string, publishedAt: string): ProtocolData[] {
  const e = snapshot.election;
  return snapshot.contests.map((contest) => ({
    election: { id: e.id, name: e.name, nameKk: e.nameKk, opensAt: e.opensAt, closesAt: e.closesAt },
    contest,
    turnout: snapshot.turnout,
    snapshot: { version: snapshot.version, generatedAt: snapshot.generatedAt, sha256 },
    publishedAt,
  }));
}
