import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';

/**
 * Coercion analytics for the party-control committee (issue #16): clusters of sign-ins that
 * look like one hand signing in many members — an employer with its staff's codes. Reads
 * `authorizations` and the register only, never a ballot or a participation row.
 *
 * Every cluster is scored `members × concentration`:
 * - `network` (an IPv4 /24 or an IPv6 /64), `address` (one address) and `device` (one user
 *   agent): concentration = the share of its members from its largest primary organisation ×
 *   the share of its sign-ins in its busiest 10 minutes. A village on one ISP spreads over the
 *   days; a carrier's NAT mixes organisations; a popular phone does both;
 * - `burst` (one organisation's members signing in within the same 10 minutes): concentration
 *   = 1 / the networks they came from.
 */
export type ClusterKind = 'network' | 'address' | 'device' | 'burst';

export interface CoercionCluster {
  kind: ClusterKind;
  /** What the members share: the network, address, user agent, or `org @ 10-minute start`. */
  key: string;
  members: number;
  signIns: number;
  /** The organisation most of its members belong to, and their share. */
  topOrg: string;
  topOrgShare: number;
  /** Distinct /24 (/64) networks; 1 for a network or address cluster. */
  networks: number;
  /** Share of its sign-ins in its busiest 10 minutes. */
  peakShare: number;
  firstAt: string;
  lastAt: string;
  score: number;
}

const BIN = sql`date_bin('10 minutes', a.authorized_at, timestamptz '2000-01-01')`;
const NET = sql`network(set_masklen(a.ip, case when family(a.ip) = 4 then 24 else 64 end))::text`;

/** The grouping expression of each kind of cluster (bursts are grouped by organisation and bin). */
function keyOf(kind: Exclude<ClusterKind, 'burst'>) {
  if (kind === 'network') return NET;
  if (kind === 'address') return sql`host(a.ip)`;
  return sql`coalesce(a.user_agent, '(none)')`;
}

/** The top clusters of one kind, at least `minMembers` members each, best first. */
async function clustersOf(db: Kysely<Database>, electionId: number, kind: ClusterKind, minMembers: number, limit: number): Promise<CoercionCluster[]> {
  const key = kind === 'burst' ? sql`m.primary_org || ' @ ' || to_char(${BIN} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')` : keyOf(kind);
  const { rows } = await sql<Omit<CoercionCluster, 'kind' | 'score'> & { score: number }>`
    with s as (
      select ${key} as key, a.member_id, m.primary_org as org, ${NET} as net, ${BIN} as bin, a.authorized_at
      from authorizations a join members m on m.id = a.member_id
      where a.election_id = ${electionId}
    ),
    big as (select key from s group by key having count(distinct member_id) >= ${minMembers}),
    c as (
      select s.key, count(distinct s.member_id)::int as members, count(*)::int as sign_ins, count(distinct s.net)::int as networks,
             min(s.authorized_at) as first_at, max(s.authorized_at) as last_at
      from s join big using (key) group by s.key
    ),
    orgs as (
      select distinct on (key) key, org, n from (select s.key, s.org, count(distinct s.member_id)::int as n from s join big using (key) group by 1, 2) o
      order by key, n desc, org
    ),
    peaks as (
      select distinct on (key) key, n from (select s.key, s.bin, count(*)::int as n from s join big using (key) group by 1, 2) b
      order by key, n desc
    )
    select c.key, c.members, c.sign_ins as "signIns", o.org as "topOrg", round(o.n::numeric / c.members, 3)::float8 as "topOrgShare",
           c.networks, round(p.n::numeric / c.sign_ins, 3)::float8 as "peakShare",
           to_char(c.first_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "firstAt", to_char(c.last_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "lastAt",
           round(${kind === 'burst' ? sql`c.members::numeric / c.networks` : sql`c.members * (o.n::numeric / c.members) * (p.n::numeric / c.sign_ins)`}, 2)::float8 as score
    from c join orgs o using (key) join peaks p using (key)
    order by score desc, c.members desc, c.key
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ kind, ...r }));
}

/** Every kind of cluster of an election's sign-ins, ranked together by score. */
export async function coercionClusters(db: Kysely<Database>, electionId: number, opts: { minMembers?: number; limit?: number } = {}): Promise<CoercionCluster[]> {
  const minMembers = opts.minMembers ?? 5;
  const limit = opts.limit ?? 100;
  const kinds: ClusterKind[] = ['network', 'address', 'device', 'burst'];
  const all = (await Promise.all(kinds.map((k) => clustersOf(db, electionId, k, minMembers, limit)))).flat();
  return all.sort((a, b) => b.score - a.score || b.members - a.members || a.key.localeCompare(b.key)).slice(0, limit);
}

/** One sign-in of a cluster, for the drill-down: the member by id, name, organisation and region; never an IIN or phone. */
export interface ClusterSignIn {
  memberId: string;
  name: string;
  org: string;
  regionId: number;
  at: string;
  ip: string;
  userAgent: string | null;
}

/** The sign-ins of one cluster (as `coercionClusters` named it), in time order, at most `limit`. */
export async function coercionClusterSignIns(db: Kysely<Database>, electionId: number, kind: ClusterKind, key: string, limit = 500): Promise<ClusterSignIn[]> {
  const at = key.lastIndexOf(' @ ');
  const where =
    kind === 'burst' ? sql`m.primary_org = ${key.slice(0, Math.max(at, 0))} and ${BIN} = ${key.slice(at + 3)}::timestamptz`
    : sql`${keyOf(kind)} = ${key}`;
  const { rows } = await sql<ClusterSignIn>`
    select a.member_id::text as "memberId", m.full_name as name, m.primary_org as org, m.region_id as "regionId",
           to_char(a.authorized_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at, host(a.ip) as ip, a.user_agent as "userAgent"
    from authorizations a join members m on m.id = a.member_id
    where a.election_id = ${electionId} and ${where}
    order by a.authorized_at, a.id
    limit ${limit}`.execute(db);
  return rows;
}
