import { useEffect, useState } from 'preact/hooks';
import { NetworkError, Notice, Screen, useI18n } from '@primaries/ui';
import type { Dashboard } from '../api';
import { useSession } from '../session';

/** How often the dashboard asks again. */
const DASHBOARD_REFRESH_SECONDS = 10;

type State = { s: 'loading' } | { s: 'missing' } | { s: 'failed' } | { s: 'ready'; d: Dashboard; stale: boolean };

/** Polls `GET /api/v1/dashboard` every ten seconds; keeps the last figures (marked stale) when a refresh fails. */
function useDashboard(): State {
  const { api } = useSession();
  const [state, setState] = useState<State>({ s: 'loading' });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let gone = false;
    const tick = async () => {
      try {
        const r = await api.dashboard();
        if (gone) return;
        if (r.ok) setState({ s: 'ready', d: r.data, stale: false });
        else if (r.status === 404) setState({ s: 'missing' });
        else if (r.status !== 401) setState((s) => (s.s === 'ready' ? { ...s, stale: true } : { s: 'failed' }));
      } catch (err) {
        if (!(err instanceof NetworkError) || gone) return;
        setState((s) => (s.s === 'ready' ? { ...s, stale: true } : { s: 'failed' }));
      }
      if (!gone) timer = setTimeout(() => void tick(), DASHBOARD_REFRESH_SECONDS * 1000);
    };
    void tick();
    return () => {
      gone = true;
      if (timer) clearTimeout(timer);
    };
  }, [api]);
  return state;
}

/** An age in seconds as words: seconds under two minutes, then minutes, then hours. */
function useAge() {
  const { t } = useI18n();
  return (seconds: number) =>
    seconds < 120 ? t('admin.age.seconds', { n: Math.round(seconds) }) : seconds < 7200 ? t('admin.age.minutes', { n: Math.floor(seconds / 60) }) : t('admin.age.hours', { n: Math.floor(seconds / 3600) });
}

function Figure({ name, label, value, warn }: { name: string; label: string; value: string; warn?: boolean }) {
  return (
    <div class={warn ? 'warn' : undefined}>
      <dt>{label}</dt>
      <dd data-figure={name}>{value}</dd>
    </div>
  );
}

/** The organizer's home: the window, turnout, the votes queue, dead letters and the last results snapshot. */
export function DashboardScreen() {
  const { t } = useI18n();
  const state = useDashboard();
  return (
    <Screen title={t('admin.dashboard.title')} state="dashboard">
      {state.s === 'loading' && (
        <p role="status" class="loading">
          {t('common.loading')}
        </p>
      )}
      {state.s === 'missing' && <p data-empty="true">{t('admin.dashboard.missing')}</p>}
      {state.s === 'failed' && (
        <Notice kind="error" live="alert">
          <span data-error="dashboard">{t('admin.dashboard.failed', { seconds: DASHBOARD_REFRESH_SECONDS })}</span>
        </Notice>
      )}
      {state.s === 'ready' && <Figures d={state.d} stale={state.stale} />}
      <p>
        <a href="/queues">{t('admin.dashboard.queues')}</a>
      </p>
    </Screen>
  );
}

function Figures({ d, stale }: { d: Dashboard; stale: boolean }) {
  const { t, number, percent, dateTime } = useI18n();
  const age = useAge();
  const e = d.election;
  const share = d.turnout.eligible > 0 ? d.turnout.voted / d.turnout.eligible : 0;
  const q = d.votesQueue;
  return (
    <>
      {stale && (
        <Notice kind="error" live="alert">
          {t('admin.dashboard.stale')}
        </Notice>
      )}
      <p class="muted" data-updated={d.serverTime}>
        {t('admin.dashboard.updated', { time: dateTime(d.serverTime), seconds: DASHBOARD_REFRESH_SECONDS })}
      </p>
      <h2>{t('admin.dashboard.window')}</h2>
      {e ? (
        <p data-election-state={e.state}>
          <strong>{e.name}</strong> {t(`admin.dashboard.state.${e.state}`)} {t('admin.dashboard.window.times', { opens: dateTime(e.opensAt), closes: dateTime(e.closesAt) })}
        </p>
      ) : (
        <p>{t('admin.dashboard.noElection')}</p>
      )}
      <h2>{t('admin.dashboard.turnout')}</h2>
      <dl class="figures">
        <Figure name="voted" label={t('admin.dashboard.voted')} value={number(d.turnout.voted)} />
        <Figure name="eligible" label={t('admin.dashboard.eligible')} value={number(d.turnout.eligible)} />
        <Figure name="turnout" label={t('admin.dashboard.share')} value={percent(share)} />
      </dl>
      <h2>{t('admin.dashboard.queue')}</h2>
      <dl class="figures">
        <Figure name="waiting" label={t('admin.dashboard.queue.waiting')} value={number(q.waiting)} />
        <Figure name="active" label={t('admin.dashboard.queue.active')} value={number(q.active)} />
        <Figure name="delayed" label={t('admin.dashboard.queue.delayed')} value={number(q.delayed)} />
        <Figure name="failed" label={t('admin.dashboard.queue.failed')} value={number(q.failed)} warn={q.failed > 0} />
        <Figure name="dead-letters" label={t('admin.dashboard.deadLetters')} value={number(d.deadLetters.count)} warn={d.deadLetters.count > 0} />
      </dl>
      {d.deadLetters.count > 0 && d.deadLetters.oldestAt && <p class="warn-text">{t('admin.dashboard.deadLetters.oldest', { time: dateTime(d.deadLetters.oldestAt) })}</p>}
      <h2>{t('admin.dashboard.snapshot')}</h2>
      {d.snapshot ? (
        <p data-snapshot-age={d.snapshot.ageSeconds}>
          {t(d.snapshot.final ? 'admin.dashboard.snapshot.final' : 'admin.dashboard.snapshot.interim', { time: dateTime(d.snapshot.at), age: age(d.snapshot.ageSeconds) })}
        </p>
      ) : (
        <p>{t('admin.dashboard.snapshot.none')}</p>
      )}
    </>
  );
}
