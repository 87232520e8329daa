import type { MessageKey } from '@primaries/i18n';
import { type ApiResult, NetworkError, useI18n, withWaitingRoom } from '@primaries/ui';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { type Ballot, type Challenge, type ContestReceipt, serverTime, voteApi } from './api';
import type { SignInValues } from './screens/sign-in';

/** The screens of a voter's visit. Every designed state has its own. */
export type Step =
  | { s: 'loading' }
  | { s: 'signin'; error?: MessageKey; field?: 'iin' | 'phone' }
  | { s: 'code'; challenge: Challenge; sentAt: number; left?: number; resent?: boolean }
  | { s: 'ballot'; notice?: MessageKey }
  | { s: 'review' }
  | { s: 'sending' }
  | { s: 'resubmit' }
  | { s: 'done'; receipts: ContestReceipt[]; lost: boolean }
  | { s: 'allVoted' }
  | { s: 'window'; state: 'scheduled' | 'closed'; at: string; now: string }
  | { s: 'expired' | 'locked' | 'ipInUse' | 'session' | 'notEligible' | 'offline' }
  | { s: 'limit'; minutes: number }
  | { s: 'error'; key?: MessageKey };

export type Marks = Readonly<Record<number, readonly number[]>>;

const TOKEN_KEY = 'primaries.vote.token';
const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t: string) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The visit's state and what the screens can do; API answers become steps here, and only here. */
export function useVoterFlow() {
  const { lang } = useI18n();
  const api = useMemo(() => voteApi(lang), [lang]);
  const [step, setStep] = useState<Step>(() => (token.get() ? { s: 'loading' } : { s: 'signin' }));
  const [values, setValues] = useState<SignInValues | null>(null);
  const [ballot, setBallot] = useState<Ballot | null>(null);
  const [marks, setMarks] = useState<Marks>({});
  const [waiting, setWaiting] = useState<{ until: number; retryNow: () => void } | null>(null);
  const [busy, setBusy] = useState(false);
  const casting = useRef(false);

  /** Calls through the waiting room: a 503 or a rate limit shows the countdown, then retries. */
  const call = <T>(fn: () => Promise<ApiResult<T>>) =>
    withWaitingRoom(fn, { onWait: (s, retryNow) => setWaiting({ until: Date.now() + s * 1000, retryNow }), onRetry: () => setWaiting(null) }).finally(() => setWaiting(null));

  /** Shows the waiting room for a few seconds (a pause the server asked for), then returns. */
  const waitOut = (seconds: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      setWaiting({ until: Date.now() + seconds * 1000, retryNow: () => (clearTimeout(timer), resolve()) });
    }).finally(() => setWaiting(null));

  /** Common refusals of a signed-in call; true when handled. */
  const refused = (r: Extract<ApiResult<unknown>, { ok: false }>): boolean => {
    if (r.status === 401) {
      token.clear();
      setStep({ s: 'session' });
    } else if (r.error.code === 'VOTE_ERR_NOT_ELIGIBLE') setStep({ s: 'notEligible' });
    else return false;
    return true;
  };

  /** Reads the ballot and moves to the screen it calls for; null when it could not be read. */
  async function loadBallot(notice?: MessageKey): Promise<Ballot | null> {
    const t = token.get();
    if (!t) return setStep({ s: 'signin' }), null;
    const r = await call(() => api.ballot(t));
    if (!r.ok) {
      if (!refused(r)) setStep({ s: 'error' });
      return null;
    }
    const b = r.data;
    setBallot(b);
    if (b.election.state !== 'open') {
      const at = b.election.state === 'scheduled' ? b.election.opensAt : b.election.closesAt;
      setStep({ s: 'window', state: b.election.state, at, now: serverTime(r).toISOString() });
    } else if (b.contests.every((c) => c.voted)) setStep({ s: 'allVoted' });
    else setStep({ s: 'ballot', ...(notice ? { notice } : {}) });
    return b;
  }

  async function requestCode(v: SignInValues, resend = false) {
    setBusy(true);
    setValues(v);
    try {
      const r = await call(() => api.requestCode(v.iin, v.phone));
      if (r.ok) return setStep({ s: 'code', challenge: r.data, sentAt: Date.now(), resent: resend });
      const code = r.error.code;
      if (code === 'VOTE_ERR_AUTH_REJECTED') setStep({ s: 'signin', error: 'vote.signin.rejected' });
      else if (code === 'VOTE_ERR_IP_IN_USE') setStep({ s: 'ipInUse' });
      else if (code === 'VOTE_ERR_CODE_LIMIT') setStep({ s: 'limit', minutes: Math.max(1, Math.ceil((r.retryAfter ?? 3600) / 60)) });
      else if (code === 'VOTE_ERR_RESEND_TOO_SOON' && step.s === 'code') setStep({ ...step, sentAt: Date.now() - (step.challenge.resendInSeconds - (r.retryAfter ?? 0)) * 1000 });
      else if (code === 'VOTE_ERR_RESEND_TOO_SOON') {
        // A new code after an expired or locked one, within the resend pause: wait it out here.
        await waitOut(r.retryAfter ?? 1);
        return requestCode(v, resend);
      }
      else if (code === 'VOTE_ERR_VALIDATION') {
        const phone = JSON.stringify(r.error.details ?? '').includes('phone');
        setStep({ s: 'signin', error: phone ? 'vote.field.phoneOperator' : 'vote.field.iinChecksum', field: phone ? 'phone' : 'iin' });
      } else setStep(code === 'VOTE_ERR_NO_ELECTION' ? { s: 'error', key: 'errors.VOTE_ERR_NO_ELECTION' } : { s: 'error' });
    } catch (err) {
      setStep(err instanceof NetworkError ? { s: 'offline' } : { s: 'error' });
    } finally {
      setBusy(false);
    }
  }

  async function verify(code: string) {
    if (step.s !== 'code') return;
    setBusy(true);
    try {
      const r = await call(() => api.verify(step.challenge.challengeId, code));
      if (r.ok) {
        token.set(r.data.token);
        await loadBallot();
        return;
      }
      const c = r.error.code;
      if (c === 'VOTE_ERR_CODE_INVALID') setStep({ ...step, left: Number(r.error.remainingAttempts ?? 0), resent: false });
      else if (c === 'VOTE_ERR_CODE_EXPIRED') setStep({ s: 'expired' });
      else if (c === 'VOTE_ERR_CODE_LOCKED') setStep({ s: 'locked' });
      else if (c === 'VOTE_ERR_IP_IN_USE') setStep({ s: 'ipInUse' });
      else setStep({ s: 'error' });
    } catch (err) {
      setStep(err instanceof NetworkError ? { s: 'offline' } : { s: 'error' });
    } finally {
      setBusy(false);
    }
  }

  /** The ballot, asked until it answers (after a dropped connection: did the vote arrive?). */
  async function ballotAfterDrop(): Promise<Ballot | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        const t = token.get();
        if (!t) return null;
        const r = await call(() => api.ballot(t));
        if (r.ok) return r.data;
        if (refused(r)) return null;
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
      }
      await sleep(Math.min(1000 * 2 ** attempt, 10_000));
    }
  }

  /**
   * Casts the marked contests once. A second click while sending does nothing. When the
   * connection drops mid-send, the ballot says which contests arrived before anything is
   * sent again, so a retry never casts a contest twice (the server refuses it anyway).
   */
  async function cast() {
    if (casting.current) return;
    casting.current = true;
    setStep({ s: 'sending' });
    let selections = Object.entries(marks)
      .filter(([, ids]) => ids.length > 0)
      .map(([contestId, candidateIds]) => ({ contestId: Number(contestId), candidateIds: [...candidateIds] }));
    try {
      for (;;) {
        const t = token.get();
        if (!t) return setStep({ s: 'session' });
        try {
          const r = await call(() => api.vote(t, selections));
          if (r.ok) return setStep({ s: 'done', receipts: r.data.receipts, lost: false });
          if (refused(r)) return;
          if (r.error.code === 'VOTE_ERR_ALREADY_VOTED' || r.error.code === 'VOTE_ERR_WINDOW_CLOSED') return void (await loadBallot(r.error.code === 'VOTE_ERR_ALREADY_VOTED' ? 'vote.ballot.voted' : undefined));
          return setStep({ s: 'error' });
        } catch (err) {
          if (!(err instanceof NetworkError)) throw err;
        }
        setStep({ s: 'resubmit' });
        const b = await ballotAfterDrop();
        if (!b) return;
        setBallot(b);
        const voted = new Set(b.contests.filter((c) => c.voted).map((c) => c.id));
        const pending = selections.filter((s) => !voted.has(s.contestId));
        if (pending.length === 0) return setStep({ s: 'done', receipts: [], lost: true });
        selections = pending;
      }
    } catch {
      setStep({ s: 'error' });
    } finally {
      casting.current = false;
    }
  }

  // A reload keeps the tab's session: back to the ballot as it now stands.
  useEffect(() => {
    if (step.s === 'loading') void loadBallot();
  }, []);

  function signOut() {
    token.clear();
    setMarks({});
    setBallot(null);
    setStep({ s: 'signin' });
  }

  return { step, setStep, values, ballot, marks, setMarks, waiting, busy, requestCode, verify, loadBallot, cast, signOut };
}
export type VoterFlow = ReturnType<typeof useVoterFlow>;
