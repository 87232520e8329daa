import autocannon from 'autocannon';
import type { Kysely } from 'kysely';
import { type Database, createDb } from '@primaries/db';
import { request } from './http';
import { type SyntheticMember, createSyntheticMembers, newRunId, openElectionId, removeSyntheticMembers } from './population';
import { type RehearsalElection, createRehearsalElection, removeRehearsalElection } from './rehearsal-election';
import { type SecondRow, StreamRecorder, type StreamTotals } from './recorder';
import { type ServiceSample, Sampler, readMetrics } from './sampler';
import { type SoakResult, judgeSoak } from './soak';
import { type ScenarioName, type StreamName, type StreamPlan, ballotStream, signInStream, splitConnections, viewerStream } from './scenarios';
import type { Target } from './stack';
import { type Thresholds, type Verdict, judge } from './thresholds';
import { type Voter, prepareVoters } from './voters';

/** Everything a run was asked to do (written into its record and report). */
export interface RunSettings {
  scenario: ScenarioName;
  connections: number;
  durationSeconds: number;
  /** Synthetic members to create (sign-ins and voters; viewers need none). */
  members: number;
  mix: Record<StreamName, number>;
  revalidate: number;
  thresholds: Thresholds;
  insecure: boolean;
  opsToken?: string;
  rehearsalToken?: string;
  label?: string;
  /** Soak: judge memory growth and the backlog's drain at the end. */
  soak?: boolean;
  /** After the load: longest wait for the votes and SMS backlogs to reach 0 (soak, bench:cpu), seconds. */
  drainSeconds?: number;
  /** Soak: allowed memory growth between the run's second and last quarter, MB. */
  maxMemoryGrowthMb?: number;
  /**
   * On a deployment: put the synthetic members in the election open there instead of a
   * rehearsal election of the run's own (a stack of one's own, such as the benchmarks' one).
   */
  useOpenElection?: boolean;
}

/** Points in a run where a caller measures (bench:cpu snapshots /proc there). */
export interface RunHooks {
  /** Just before the timed part (members made, voters signed in). */
  beforeLoad?(): Promise<void>;
  /** After the load, once the backlogs drained (or the drain timed out). */
  afterDrain?(): Promise<void>;
}

interface StreamRecord {
  name: StreamName;
  connections: number;
  totals: StreamTotals;
  /** autocannon's own summary of the same stream (the report's figures must match it). */
  autocannon: {
    requestsTotal: number;
    statusCodeStats: Record<string, number>;
    latency: { p50: number; p90: number; p99: number; max: number; mean: number };
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
  };
  rows: SecondRow[];
}

export interface RunRecord {
  kit: 1;
  scenario: ScenarioName;
  label: string;
  startedAt: string;
  finishedAt: string;
  target: { url: string; voteHost: string; resultsHost: string; local: boolean };
  settings: Omit<RunSettings, 'opsToken' | 'rehearsalToken'>;
  durationSeconds: number;
  streams: StreamRecord[];
  all: {
    answers: number;
    good: number;
    errors: number;
    attempts: number;
    errorRate: number;
    goodPerSecond: number;
    answersPerSecond: number;
    latency: StreamTotals['latency'];
    rows: SecondRow[];
  };
  services: Record<string, ServiceSample[]>;
  /** How long the backlogs took to reach 0 after the load (when waited for). */
  drain: { drained: boolean; seconds: number | null } | null;
  soak: SoakResult | null;
  /** On a deployment: the rehearsal election the run made, and what it removed afterwards. */
  rehearsal: { election: string; contests: number; created: number; removed: number; electionRow: 'removed' | 'closed' | null } | null;
  verdicts: Verdict[];
  pass: boolean;
}

export interface Progress {
  /** Called once a second during the timed part with the last second's figures. */
  tick(elapsed: number, total: number, last: { rps: number; good: number; p50: number; p99: number; errors: number; s5xx: number; backlog: number | null }): void;
  phase(text: string): void;
}

const silent: Progress = { tick: () => undefined, phase: () => undefined };

function streamsOf(scenario: ScenarioName): StreamName[] {
  switch (scenario) {
    case 'login-storm':
      return ['sign-ins'];
    case 'voting':
      return ['ballots'];
    case 'results-viewers':
      return ['viewers'];
    case 'opening-hour':
      return ['sign-ins', 'ballots', 'viewers'];
  }
}

/** The results pages viewers load, and their current ETags. */
async function viewerPages(target: Target, insecure: boolean) {
  const headers = { host: target.resultsHost, 'accept-encoding': 'gzip, deflate, br' };
  const until = Date.now() + 60_000;
  type Summary = { contests: Array<{ id: number; ballots: number }> };
  let all: Summary | null = null as Summary | null;
  while (!all) {
    const a = await request(`${target.url}/api/v1/results`, { headers, insecure });
    if (a.status === 200) all = JSON.parse((await request(`${target.url}/api/v1/results`, { headers: { host: target.resultsHost }, insecure })).body) as Summary;
    else if (Date.now() > until) throw new Error(`GET /api/v1/results answered ${a.status}: no results snapshot yet?`);
    else await new Promise((r) => setTimeout(r, 500));
  }
  const busiest = [...all.contests].sort((a, b) => b.ballots - a.ballots)[0];
  const paths = ['/api/v1/results', ...(busiest ? [`/api/v1/results/contests/${busiest.id}`] : [])];
  const etags: Record<string, string> = {};
  for (const p of paths) {
    const a = await request(`${target.url}${p}`, { headers, insecure });
    if (typeof a.headers.etag === 'string') etags[p] = a.headers.etag;
  }
  return { paths, etags };
}

/**
 * One run: synthetic members created (when a scenario needs members), voters signed in,
 * then every stream of the scenario at once for the duration while the sampler reads the
 * services, then the members removed. Returns the run's record; the caller writes it.
 */
export async function runLoad(target: Target, settings: RunSettings, progress: Progress = silent, hooks: RunHooks = {}): Promise<RunRecord> {
  const names = streamsOf(settings.scenario);
  const shares = Object.fromEntries(names.map((n) => [n, settings.mix[n]])) as Record<StreamName, number>;
  const conns = splitConnections(settings.connections, shares);
  const needsMembers = names.includes('sign-ins') || names.includes('ballots');
  const runId = newRunId();
  let db: Kysely<Database> | null = null;
  let created = false;
  let made: RehearsalElection | null = null;
  let rehearsal: RunRecord['rehearsal'] = null;
  const startedAt = new Date();
  try {
    let members: SyntheticMember[] = [];
    if (needsMembers) {
      if (!target.databaseUrl) throw new Error('this scenario needs synthetic members: give the rehearsal deployment\'s database (--database-url) or run against the local stack');
      db = createDb({ url: target.databaseUrl, poolMax: 2, applicationName: 'loadtest-kit' });
      let electionId = target.electionId ?? (settings.useOpenElection ? await openElectionId(db) : null);
      if (!electionId && settings.useOpenElection) throw new Error('--use-open-election: no election is open there');
      if (!electionId) {
        // A deployment: the run votes in an election of its own (rehearsal-election.ts).
        progress.phase(`creating the rehearsal election rehearsal-${runId}`);
        made = await createRehearsalElection(db, { runId, hours: 2 + settings.durationSeconds / 3600 });
        rehearsal = { election: made.slug, contests: made.contests, created: 0, removed: 0, electionRow: null };
        electionId = made.id;
        // The vote site reads the current election at most every 5 s (its ElectionCache).
        await new Promise((r) => setTimeout(r, 6000));
      }
      target.electionId = electionId;
      progress.phase(`creating ${settings.members} synthetic members (run ${runId})`);
      created = true;
      members = await createSyntheticMembers(db, { runId, count: settings.members, electionId });
      if (rehearsal) rehearsal.created = members.length;
      if (members.length === 0) throw new Error('no synthetic member could be created');
    }
    // Sign-ins and ballots use different members: a member who asked for a code is not also voting here.
    const half = names.includes('sign-ins') && names.includes('ballots') ? Math.floor(members.length / 2) : members.length;
    const signInMembers = names.includes('ballots') ? members.slice(half) : members;
    const voterMembers = names.includes('sign-ins') ? members.slice(0, half) : members;

    let t0 = 0;
    const whole = new StreamRecorder('all', () => t0);
    const recorders = new Map<StreamName, StreamRecorder>(names.map((n) => [n, new StreamRecorder(n, () => t0, whole)]));
    const plans: StreamPlan[] = [];
    for (const n of names) {
      const rec = recorders.get(n)!;
      if (n === 'sign-ins') plans.push(signInStream(target, signInMembers, conns[n], rec));
      if (n === 'ballots') {
        progress.phase(`signing in ${voterMembers.length} voters`);
        const voters: Voter[] = await prepareVoters(target, voterMembers, { insecure: settings.insecure, ...(settings.rehearsalToken ? { rehearsalToken: settings.rehearsalToken } : {}) });
        plans.push(ballotStream(target, voters, conns[n], rec));
      }
      if (n === 'viewers') plans.push(viewerStream(target, await viewerPages(target, settings.insecure), conns[n], rec, settings.revalidate));
    }

    const sampler = new Sampler(target.services, { ...(settings.opsToken ? { opsToken: settings.opsToken } : {}), insecure: settings.insecure });
    progress.phase(`running ${settings.scenario} for ${settings.durationSeconds} s on ${settings.connections} connections`);
    await hooks.beforeLoad?.();
    t0 = Date.now();
    sampler.start(t0);
    const instances: autocannon.Instance[] = [];
    const results = plans.map(
      (p) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          const rec = recorders.get(p.name)!;
          const host = p.name === 'viewers' ? target.resultsHost : target.voteHost;
          const inst = autocannon(
            {
              url: `${target.url}${p.path}`,
              connections: p.connections,
              duration: settings.durationSeconds,
              timeout: 30,
              servername: host,
              requests: p.requests,
            } as unknown as autocannon.Options,
            (err, result) => (err ? reject(err as Error) : resolve(result)),
          );
          inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => rec.answer(status, ms));
          inst.on('reqError', (err: Error) => rec.error(/timed out/.test(err.message)));
          instances.push(inst);
        }),
    );
    const ticker = setInterval(() => {
      const elapsed = (Date.now() - t0) / 1000;
      const t = Math.floor(elapsed) - 1;
      // A second's row exists once the recorder closes it (at the next second's first answer);
      // looking only for row t showed "0 answers/s" whenever the tick came first, so the line
      // shows the newest closed second instead.
      let last: (typeof whole.rows)[number] | undefined;
      for (let i = whole.rows.length - 1; i >= 0 && !last; i--) if (whole.rows[i]!.t <= t) last = whole.rows[i];
      const vote = sampler.series.get('vote');
      progress.tick(Math.min(elapsed, settings.durationSeconds), settings.durationSeconds, {
        rps: last?.answers ?? 0,
        good: last?.good ?? 0,
        p50: last?.p50 ?? 0,
        p99: last?.p99 ?? 0,
        errors: last?.errors ?? 0,
        s5xx: last?.s5xx ?? 0,
        backlog: vote?.at(-1)?.votesBacklog ?? null,
      });
    }, 1000);
    let cannon: autocannon.Result[];
    try {
      cannon = await Promise.all(results);
    } finally {
      clearInterval(ticker);
    }
    const seconds = (Date.now() - t0) / 1000;
    await sampler.stop();
    let drain: RunRecord['drain'] = null;
    if (settings.soak || hooks.afterDrain) {
      // After the load: how long the backlogs take to drain, still sampled.
      progress.phase('load stopped: waiting for the votes and SMS backlogs to drain');
      const stopped = Date.now();
      const until = stopped + (settings.drainSeconds ?? 60) * 1000;
      for (;;) {
        await sampler.sample();
        const last = sampler.series.get('vote')?.at(-1);
        if (!last || typeof last.votesBacklog !== 'number') break;
        if (last.votesBacklog === 0 && !last.smsBacklog) {
          drain = { drained: true, seconds: +((Date.now() - stopped) / 1000).toFixed(1) };
          break;
        }
        if (Date.now() > until) {
          drain = { drained: false, seconds: null };
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      await hooks.afterDrain?.();
    } else {
      await sampler.sample();
    }

    const streams: StreamRecord[] = plans.map((p, i) => {
      const r = cannon[i]!;
      const rec = recorders.get(p.name)!;
      const totals = rec.finish(seconds);
      const stats = (r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
      return {
        name: p.name,
        connections: p.connections,
        totals,
        autocannon: {
          requestsTotal: r.requests.total,
          statusCodeStats: Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, v.count])),
          latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: r.latency.mean },
          errors: r.errors,
          timeouts: r.timeouts,
          non2xx: r.non2xx,
          duration: r.duration,
        },
        rows: rec.rows,
      };
    });
    const wholeTotals = whole.finish(seconds);
    const answers = streams.reduce((s, x) => s + x.totals.answers, 0);
    const good = streams.reduce((s, x) => s + x.totals.good, 0);
    const errors = streams.reduce((s, x) => s + x.totals.transportErrors + x.totals.serverErrors + x.totals.shedWithoutRetryAfter, 0);
    const attempts = answers + streams.reduce((s, x) => s + x.totals.transportErrors, 0);
    const all = {
      answers,
      good,
      errors,
      attempts,
      errorRate: attempts ? errors / attempts : 0,
      goodPerSecond: +(good / settings.durationSeconds).toFixed(1),
      answersPerSecond: +(answers / settings.durationSeconds).toFixed(1),
      latency: wholeTotals.latency,
      rows: whole.rows,
    };
    const services = Object.fromEntries(sampler.series);
    const soak = settings.soak ? judgeSoak(services, settings.durationSeconds, drain, settings.maxMemoryGrowthMb === undefined ? {} : { maxGrowthMb: settings.maxMemoryGrowthMb }) : null;
    const verdicts = [...judge(settings.thresholds, { p99Ms: all.latency.p99, errorRate: all.errorRate, goodPerSecond: all.goodPerSecond }), ...(soak?.verdicts ?? [])];
    const { opsToken: _o, rehearsalToken: _r, ...publicSettings } = settings;
    return {
      kit: 1,
      scenario: settings.scenario,
      label: settings.label ?? '',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      target: { url: target.url, voteHost: target.voteHost, resultsHost: target.resultsHost, local: target.services.some((s) => s.pid !== undefined) },
      settings: publicSettings,
      durationSeconds: +seconds.toFixed(2),
      streams,
      all,
      services,
      drain,
      soak,
      rehearsal,
      verdicts,
      pass: verdicts.every((v) => v.pass),
    };
  } finally {
    if (db) {
      if (created && !target.disposable) {
        // Ballots still queued name these members: removal waits for the worker to record them.
        progress.phase('waiting for the votes backlog to drain, then removing the synthetic members');
        await waitForDrain(target, settings, 120_000);
        const removed = await removeSyntheticMembers(db, runId).catch((err: unknown) => {
          console.error(`could not remove the synthetic members of run ${runId}: ${(err as Error).message}`);
          return 0;
        });
        if (rehearsal) rehearsal.removed = removed;
      }
      if (made) {
        const election = made;
        const row = await removeRehearsalElection(db, election).catch((err: unknown) => {
          console.error(`could not remove the rehearsal election ${election.slug}: ${(err as Error).message}`);
          return null;
        });
        if (rehearsal) rehearsal.electionRow = row;
      }
      await db.destroy();
    }
  }
}

/** Polls the vote service's votes_backlog until it reads 0 (or unreadable), at most `ms`. */
async function waitForDrain(target: Target, settings: RunSettings, ms: number): Promise<void> {
  const vote = target.services.find((s) => s.name === 'vote');
  if (!vote) return;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const m = await readMetrics(vote, { ...(settings.opsToken ? { opsToken: settings.opsToken } : {}), insecure: settings.insecure });
    if (!m?.votesBacklog) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

