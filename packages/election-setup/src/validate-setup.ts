import {
  type SetupKind, type SetupResult, parseCandidateRow, parseContestRow, parseDistrictRow, parseRegionRow, placeKey,
} from '@primaries/domain';
import type { SetupData, SetupPlaces } from '@primaries/db';
import type { SetupLine, SetupReject } from './setup-csv';

/** A code as a message may repeat it: short codes only, so a shifted column never puts an IIN in the report. */
function shown(code: string | null): string {
  return code && /^[\p{L}\d_-]{1,32}$/u.test(code) ? code : '(not shown)';
}

/**
 * Checks every row of the setup files against each other and the database's codes; returns
 * the data to write and every reject (all rows are checked, none stops the others).
 */
export function validateSetup(
  /** Each kind's file name, as reported with its lines. */
  names: Map<SetupKind, string>,
  read: Map<SetupKind, SetupLine[]>,
  places: SetupPlaces,
  today: string,
): { data: SetupData; rejects: SetupReject[] } {
  const rejects: SetupReject[] = [];
  const data: SetupData = { regions: [], districts: [], contests: [], candidates: new Map() };
  const name = (k: SetupKind) => names.get(k) ?? `${k}.csv`;
  function each<T>(kind: SetupKind, parse: (raw: Record<string, string>) => SetupResult<T>, accept: (row: T, line: number) => SetupReject['reason'] | [SetupReject['reason'], string] | null) {
    for (const { line, raw } of read.get(kind) ?? []) {
      const r = parse(raw);
      if (!r.ok) {
        rejects.push({ file: name(kind), line, reason: r.reason, message: r.message });
        continue;
      }
      const refused = accept(r.row, line);
      if (refused) {
        const [reason, message] = Array.isArray(refused) ? refused : [refused, refused.replace(/_/g, ' ')];
        rejects.push({ file: name(kind), line, reason, message });
      }
    }
  }
  const firstLine = new Map<string, number>();
  const dup = (key: string, line: number): [SetupReject['reason'], string] | null => {
    const first = firstLine.get(key);
    if (first !== undefined) return ['duplicate_in_file', `already given on line ${first}`];
    firstLine.set(key, line);
    return null;
  };

  const regions = new Set(places.regions.keys());
  each('regions', parseRegionRow, (r, line) => {
    const d = dup(`region:${r.code}`, line);
    if (d) return d;
    regions.add(r.code);
    data.regions.push(r);
    return null;
  });

  const districts = new Map([...places.districts].map(([code, d]) => [code, d.regionCode]));
  each('districts', parseDistrictRow, (d, line) => {
    const x = dup(`district:${d.code}`, line);
    if (x) return x;
    if (!regions.has(d.region)) return ['region_unknown', `no region with code ${shown(d.region)}`];
    const was = places.districts.get(d.code);
    if (was && was.regionCode !== d.region) return ['district_moves_region', `district ${shown(d.code)} is in region ${shown(was.regionCode)}; an import does not move it`];
    districts.set(d.code, d.region);
    data.districts.push(d);
    return null;
  });

  const placeProblem = (p: { region: string | null; district: string | null }): [SetupReject['reason'], string] | null => {
    if (p.region && !regions.has(p.region)) return ['region_unknown', `no region with code ${shown(p.region)}`];
    if (p.district && !districts.has(p.district)) return ['district_unknown', `no district with code ${shown(p.district)}`];
    if (p.district && districts.get(p.district) !== p.region) return ['district_not_in_region', `district ${shown(p.district)} is not in region ${shown(p.region)}`];
    return null;
  };
  const contests = new Set(places.contests.keys());
  each('contests', parseContestRow, (c, line) => {
    const bad = placeProblem(c) ?? dup(`contest:${placeKey(c)}`, line);
    if (bad) return bad;
    contests.add(placeKey(c));
    data.contests.push(c);
    return null;
  });

  each('candidates', (raw) => parseCandidateRow(raw, today), (c, line) => {
    const bad = placeProblem(c);
    if (bad) return bad;
    const key = placeKey(c);
    if (!contests.has(key)) return ['contest_unknown', 'no contest at this region/district in the election or in contests.csv'];
    const order = firstLine.get(`order:${key}:${c.ballotOrder}`);
    if (order !== undefined) return ['ballot_order_duplicate', `ballot_order ${c.ballotOrder} already given on line ${order}`];
    if (c.iin) {
      const same = firstLine.get(`iin:${key}:${c.iin}`);
      if (same !== undefined) return ['candidate_duplicate', `the same IIN is already a candidate of this contest on line ${same}`];
      firstLine.set(`iin:${key}:${c.iin}`, line);
    }
    firstLine.set(`order:${key}:${c.ballotOrder}`, line);
    const group = data.candidates.get(key) ?? [];
    group.push(c);
    data.candidates.set(key, group);
    return null;
  });
  return { data, rejects };
}
