import type { SyntheticMember } from './population';
import type { StreamRecorder } from './recorder';
import type { Target } from './stack';
import type { Voter } from './voters';

/**
 * The load each scenario sends, as autocannon request definitions. A scenario is one or
 * more streams run at the same time, each with its share of the connections.
 */
export const SCENARIOS = ['login-storm', 'voting', 'results-viewers', 'opening-hour'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export type StreamName = 'sign-ins' | 'ballots' | 'viewers';

/**
 * The opening hour of 2020 in shares of simultaneous clients (the 2020 record): 100,000+
 * requests at the opening, of which the 50,000+ watchers on the results portal are half;
 * the other half are members, most still signing in (logins failed for the first hours,
 * so sign-ins outnumbered ballots) — 30 % asking for codes, 20 % casting ballots.
 */
export const OPENING_HOUR_MIX: Record<StreamName, number> = { 'sign-ins': 30, ballots: 20, viewers: 50 };

export interface StreamPlan {
  name: StreamName;
  connections: number;
  /** autocannon `requests` for this stream. */
  requests: unknown[];
  /** Path autocannon opens (first request's). */
  path: string;
}

/** Headers autocannon's onResponse gets are a flat object. */
type Headers = Record<string, string | string[] | undefined>;

/** Code requests: each from a different member at their own address (wrapping meets the resend cooldown: 429s). */
export function signInStream(target: Target, members: SyntheticMember[], connections: number, rec: StreamRecorder): StreamPlan {
  let next = 0;
  return {
    name: 'sign-ins',
    connections,
    path: '/api/v1/auth/code',
    requests: [
      {
        method: 'POST',
        path: '/api/v1/auth/code',
        setupRequest: (req: Record<string, unknown>) => {
          const m = members[next++ % members.length]!;
          req.headers = { host: target.voteHost, 'content-type': 'application/json', 'x-forwarded-for': m.ip };
          req.body = JSON.stringify({ iin: m.iin, phone: m.phone });
          return req;
        },
        onResponse: (status: number, body: string, _ctx: unknown, headers: Headers) => rec.details(status, body, headers),
      },
    ],
  };
}

/** Ballots: each voter casts their whole ballot once (wrapping gives 409 already-voted). */
export function ballotStream(target: Target, voters: Voter[], connections: number, rec: StreamRecorder): StreamPlan {
  let next = 0;
  return {
    name: 'ballots',
    connections,
    path: '/api/v1/votes',
    requests: [
      {
        method: 'POST',
        path: '/api/v1/votes',
        setupRequest: (req: Record<string, unknown>) => {
          const v = voters[next++ % voters.length]!;
          req.headers = { host: target.voteHost, 'content-type': 'application/json', authorization: `Bearer ${v.token}`, 'x-forwarded-for': v.ip };
          req.body = v.body;
          return req;
        },
        onResponse: (status: number, body: string, _ctx: unknown, headers: Headers) => rec.details(status, body, headers),
      },
    ],
  };
}

export interface ViewerPages {
  paths: string[];
  etags: Record<string, string>;
}

/**
 * Results viewers: the results page and the busiest contest's, with compression, half of
 * them revalidating (If-None-Match) as a browser does after its first load. Addresses rotate
 * over a pool of 50,000 watchers, so per-address limits meet what they would in 2020.
 */
export function viewerStream(target: Target, pages: ViewerPages, connections: number, rec: StreamRecorder, revalidate = 0.5): StreamPlan {
  let next = 0;
  return {
    name: 'viewers',
    connections,
    path: pages.paths[0]!,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          const n = next++;
          const p = pages.paths[n % pages.paths.length]!;
          context['path'] = p;
          const v = (n * 7919) % 50_000;
          const headers: Record<string, string> = { host: target.resultsHost, 'accept-encoding': 'gzip, deflate, br', 'x-forwarded-for': `172.16.${v >> 8}.${v & 255}` };
          const etag = pages.etags[p];
          if (etag && (n % 100) / 100 < revalidate) headers['if-none-match'] = etag;
          req.path = p;
          req.headers = headers;
          return req;
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>, headers: Headers) => {
          // A browser revalidates with the ETag it last saw: a new snapshot's ETag replaces the old.
          const etag = headers['etag'];
          if (status === 200 && typeof etag === 'string') pages.etags[context['path'] as string] = etag;
          rec.details(status, body, headers);
        },
      },
    ],
  };
}

/** Splits connections by shares (each stream gets at least one). */
export function splitConnections(total: number, shares: Record<StreamName, number>): Record<StreamName, number> {
  const sum = Object.values(shares).reduce((a, b) => a + b, 0) || 1;
  const out = {} as Record<StreamName, number>;
  for (const [k, v] of Object.entries(shares) as Array<[StreamName, number]>) out[k] = Math.max(1, Math.round((total * v) / sum));
  return out;
}
