import { stringify } from 'csv-stringify/sync';
import { PARTY_LIST_RULE, type ProtocolData, type RatingLine, candidateName, ratings, removed } from './data';

/** The CSV's columns: one table, `section` says which part of the protocol a row belongs to. */
export const PROTOCOL_CSV_COLUMNS = ['section', 'item', 'value', 'place', 'candidate_id', 'candidate', 'votes', 'online', 'paper', 'percent', 'woman', 'youth'] as const;
type Row = Partial<Record<(typeof PROTOCOL_CSV_COLUMNS)[number], string | number | boolean>>;

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function ratingRows(section: string, lines: RatingLine[]): Row[] {
  return lines.map(({ place, candidate: c }) => ({
    section,
    place,
    candidate_id: c.id,
    candidate: candidateName(c),
    votes: c.votes,
    online: c.online,
    paper: c.paper,
    percent: c.percent.toFixed(2),
    woman: yesNo(c.woman),
    youth: yesNo(c.youth),
  }));
}

function summaryRows(d: ProtocolData): Row[] {
  const c = d.contest;
  const items: Array<[string, string | number]> = [
    ['election', d.election.name],
    ['election_id', d.election.id],
    ['contest', c.name],
    ['contest_id', c.id],
    ['region', c.region ?? ''],
    ['district', c.district ?? ''],
    ['seats', c.seats],
    ['max_marks', c.maxChoices],
    ['window', `${d.election.opensAt} – ${d.election.closesAt}`],
    ['ballots', c.ballots],
    ['ballots_online', c.online],
    ['ballots_paper', c.paper],
    ['turnout_eligible', d.turnout.eligible],
    ['turnout_authorized', d.turnout.authorized],
    ['turnout_voted', d.turnout.voted],
    ['published_at', d.publishedAt],
    ['snapshot_version', d.snapshot.version],
    ['snapshot_generated_at', d.snapshot.generatedAt],
    ['snapshot_sha256', d.snapshot.sha256],
  ];
  if (d.signingKey) items.push(['signing_key', `${d.signingKey.id}:${d.signingKey.publicKey}`]);
  items.push(['party_list_rule', PARTY_LIST_RULE.ru], ['party_list_rule_en', PARTY_LIST_RULE.en]);
  return items.map(([item, value]) => ({ section: 'protocol', item, value }));
}

function partyListRows(d: ProtocolData): Row[] {
  const list = d.contest.partyList;
  if (!list) return [];
  const byId = new Map(d.contest.candidates.map((c) => [c.id, c]));
  const rows: Row[] = list.entries.map((e) => {
    const c = byId.get(e.id)!;
    return { section: 'party_list', item: e.reason, place: e.position, candidate_id: c.id, candidate: candidateName(c), votes: c.votes, online: c.online, paper: c.paper, percent: c.percent.toFixed(2), woman: yesNo(c.woman), youth: yesNo(c.youth) };
  });
  for (const id of list.displaced) rows.push({ section: 'party_list_displaced', candidate_id: id, candidate: candidateName(byId.get(id)!) });
  rows.push(
    { section: 'party_list_quota', item: 'women', value: `${list.women}/${list.womenRequired}${list.womenShort ? ` short ${list.womenShort}` : ''}` },
    { section: 'party_list_quota', item: 'youth', value: `${list.youth}/${list.youthRequired}${list.youthShort ? ` short ${list.youthShort}` : ''}` },
  );
  return rows;
}

/** A contest's protocol as CSV (RFC 4180, UTF-8 with a BOM for spreadsheet programs). */
export function protocolCsv(d: ProtocolData): string {
  const r = ratings(d.contest);
  const rows: Row[] = [
    ...summaryRows(d),
    ...ratingRows('rating', r.overall),
    ...ratingRows('women', r.women),
    ...ratingRows('youth', r.youth),
    ...partyListRows(d),
    ...removed(d.contest).map((c) => ({ section: 'removed', candidate_id: c.id, candidate: candidateName(c), item: c.removedAt ?? '', value: c.removalReason ?? '' })),
  ];
  return `\ufeff${stringify(rows, { header: true, columns: [...PROTOCOL_CSV_COLUMNS] })}`;
}
