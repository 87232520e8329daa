import { Redis } from 'ioredis';
import { issueToken } from '@primaries/redis-protocols';
import { request } from './http';
import type { SyntheticMember } from './population';
import type { Target } from './stack';

/**
 * Signed-in voters for the ballots stream, and each voter's ballot body. With access to
 * the stack's Redis (the local stack) tokens are issued straight into the token store, as
 * the voting benchmark does; against a deployment every voter signs in as a member would:
 * code request, the code read from the rehearsal outbox, verify.
 */

export interface Voter extends SyntheticMember {
  token: string;
  /** `{selections: […]}` for POST /api/v1/votes. */
  body: string;
}

export interface SignInOptions {
  insecure: boolean;
  /** Parallel sign-ins against a deployment. */
  concurrency?: number;
  /** Sent as x-rehearsal-token to read the rehearsal outbox. */
  rehearsalToken?: string;
  onProgress?: (done: number) => void;
}

async function tokensFromStore(target: Target, members: SyntheticMember[]): Promise<string[]> {
  const redis = new Redis(target.redisUrl!);
  try {
    const out: string[] = [];
    for (let i = 0; i < members.length; i += 2000) {
      const part = members.slice(i, i + 2000);
      const tokens = await Promise.all(
        part.map((m) =>
          issueToken(redis, target.redisPrefix!, { memberId: m.id, electionId: target.electionId!, ip: m.ip, place: { regionId: m.regionId, districtId: m.districtId } }, 4 * 3600),
        ),
      );
      out.push(...tokens.map((t) => t.token));
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/** One member's sign-in through the API: the code comes from the stack's SMS outbox (dev or rehearsal). */
async function signInThroughApi(target: Target, m: SyntheticMember, opts: SignInOptions): Promise<string> {
  const headers = { host: target.voteHost, 'content-type': 'application/json', 'x-forwarded-for': m.ip };
  const code = await request(`${target.url}/api/v1/auth/code`, { method: 'POST', headers, body: JSON.stringify({ iin: m.iin, phone: m.phone }), insecure: opts.insecure });
  if (code.status !== 202) throw new Error(`code request for a synthetic member answered ${code.status}: ${code.body.slice(0, 200)}`);
  const { challengeId } = JSON.parse(code.body) as { challengeId: string };
  const until = Date.now() + 120_000;
  const smsHeaders: Record<string, string> = { host: target.voteHost, 'x-forwarded-for': m.ip };
  if (opts.rehearsalToken) smsHeaders['x-rehearsal-token'] = opts.rehearsalToken;
  for (;;) {
    const sms = await request(`${target.url}${target.smsPath}?phone=${encodeURIComponent(m.phone)}`, { headers: smsHeaders, insecure: opts.insecure });
    if (sms.status !== 200) throw new Error(`the SMS outbox (${target.smsPath}) answered ${sms.status}: is SMS_PROVIDER outbox/rehearsal, and the rehearsal token right?`);
    const text = (JSON.parse(sms.body) as { messages: Array<{ text: string }> }).messages[0]?.text ?? '';
    const digits = /(\d{6})/.exec(text)?.[1];
    if (digits) {
      const v = await request(`${target.url}/api/v1/auth/verify`, { method: 'POST', headers, body: JSON.stringify({ challengeId, code: digits }), insecure: opts.insecure });
      if (v.status !== 200) throw new Error(`verify answered ${v.status}: ${v.body.slice(0, 200)}`);
      return (JSON.parse(v.body) as { token: string }).token;
    }
    if (Date.now() > until) throw new Error('no code reached the outbox within 2 minutes');
    await new Promise((r) => setTimeout(r, 300));
  }
}

interface BallotContest {
  id: number;
  maxChoices: number;
  voted: boolean;
  candidates: Array<{ id: number }>;
}

/** Signs every member in and builds their ballot (one GET /api/v1/ballot per place, random marks within each contest's limit). */
export async function prepareVoters(target: Target, members: SyntheticMember[], opts: SignInOptions): Promise<Voter[]> {
  let tokens: string[];
  if (target.redisUrl && target.redisPrefix && target.electionId) {
    tokens = await tokensFromStore(target, members);
    opts.onProgress?.(members.length);
  } else {
    tokens = new Array<string>(members.length);
    let next = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: Math.min(opts.concurrency ?? 50, members.length) }, async () => {
        for (let i = next++; i < members.length; i = next++) {
          tokens[i] = await signInThroughApi(target, members[i]!, opts);
          opts.onProgress?.(++done);
        }
      }),
    );
  }
  const ballots = new Map<string, BallotContest[]>();
  const voters: Voter[] = [];
  for (const [i, m] of members.entries()) {
    const place = `${m.regionId}/${m.districtId}`;
    let contests = ballots.get(place);
    if (!contests) {
      const b = await request(`${target.url}/api/v1/ballot`, { headers: { host: target.voteHost, authorization: `Bearer ${tokens[i]}`, 'x-forwarded-for': m.ip }, insecure: opts.insecure });
      if (b.status !== 200) throw new Error(`GET /api/v1/ballot answered ${b.status}: ${b.body.slice(0, 200)}`);
      contests = (JSON.parse(b.body) as { contests: BallotContest[] }).contests;
      ballots.set(place, contests);
    }
    const selections = contests
      .filter((c) => c.candidates.length > 0)
      .map((c) => {
        const k = 1 + Math.floor(Math.random() * Math.min(3, c.maxChoices, c.candidates.length));
        const ids = c.candidates.map((x) => x.id).sort(() => Math.random() - 0.5).slice(0, k);
        return { contestId: c.id, candidateIds: ids };
      });
    voters.push({ ...m, token: tokens[i]!, body: JSON.stringify({ selections }) });
  }
  return voters;
}
