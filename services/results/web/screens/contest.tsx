import { useState } from 'preact/hooks';
import { type Column, Downloads, Notice, Screen, useI18n } from '@primaries/ui';
import { Rating } from '../charts';
import { local } from '../names';
import { usePolled } from '../poll';
import type { Candidate, ContestResult, Summary } from '../types';
import { place } from './overview';

type Which = 'overall' | 'women' | 'youth';
const WHICH: readonly Which[] = ['overall', 'women', 'youth'];

function contestId(): number | null {
  const id = Number(new URLSearchParams(location.search).get('id'));
  return Number.isInteger(id) && id > 0 ? id : null;
}

/** One contest: its ratings as bar charts (overall, women, under 35), the quotas, who was removed. */
export function ContestScreen({ summary }: { summary: Summary }) {
  const { t, lang, number, dateTime } = useI18n();
  const id = contestId();
  const polled = usePolled<ContestResult>(id === null ? null : `/api/v1/results/contests/${id}`);
  const [which, setWhich] = useState<Which>('overall');
  const known = summary.contests.find((c) => c.id === id);
  if (id === null || polled.missing || (!known && !polled.data)) {
    return (
      <Screen title={t('portal.contest.notFound')} state="contest-missing">
        <p>
          <a href="/">{t('portal.contest.back')}</a>
        </p>
      </Screen>
    );
  }
  const r = polled.data;
  const c = r?.contest ?? known!;
  const title = local(lang, c.name, c.nameKk);
  if (!r) {
    return (
      <Screen title={title} state="contest-loading">
        <p role="status">{t('portal.loading')}</p>
      </Screen>
    );
  }
  const byId = new Map(r.candidates.map((x) => [x.id, x]));
  const active = r.candidates.filter((x) => !x.removed);
  const removed = r.candidates.filter((x) => x.removed);
  const rows: Record<Which, Candidate[]> = {
    overall: active,
    women: r.ratings.women.map((x) => byId.get(x)!).filter(Boolean),
    youth: r.ratings.youth.map((x) => byId.get(x)!).filter(Boolean),
  };
  const rankOf: Record<Which, (x: Candidate) => number | null> = { overall: (x) => x.rank, women: (x) => x.womenRank, youth: (x) => x.youthRank };
  const columns: Column<Candidate>[] = [
    { header: 'candidate_id', value: (x) => x.id },
    { header: 'candidate', value: (x) => local(lang, x.name, x.nameKk) },
    { header: 'rank', value: (x) => x.rank },
    { header: 'votes', value: (x) => x.votes },
    { header: 'online', value: (x) => x.online },
    { header: 'paper', value: (x) => x.paper },
    { header: 'percent', value: (x) => x.percent },
    { header: 'woman', value: (x) => x.woman },
    { header: 'under_35', value: (x) => x.youth },
    { header: 'women_rank', value: (x) => x.womenRank },
    { header: 'youth_rank', value: (x) => x.youthRank },
    { header: 'removed', value: (x) => x.removed },
    { header: 'removed_at', value: (x) => x.removedAt ?? null },
    { header: 'reason', value: (x) => x.removalReason ?? null },
  ];
  const q = r.quotas;
  return (
    <Screen title={title} state="contest">
      <p class="muted">
        {t(`portal.level.${c.level}`)}
        {place(lang, c) ? ` · ${place(lang, c)}` : ''}
      </p>
      <p data-ballots={r.ballots}>{t('portal.contest.ballots', { ballots: r.ballots, online: number(r.online), paper: number(r.paper) })}</p>
      <p>{t('portal.contest.seats', { seats: c.seats, max: number(r.contest.maxChoices) })}</p>

      <h2 id="rating-h">{t('portal.contest.ratings')}</h2>
      <div class="tabs" role="group" aria-labelledby="rating-h">
        {WHICH.map((w) => (
          <button type="button" key={w} data-rating={w} aria-pressed={which === w} onClick={() => setWhich(w)}>
            {t(`portal.contest.${w}`)}
          </button>
        ))}
      </div>
      <Rating rows={rows[which]} rankOf={rankOf[which]} />

      <h2>{t('portal.contest.quotas', { seats: q.seats })}</h2>
      <ul class="quotas">
        <li class={q.womenMet ? 'met' : 'not-met'}>
          {t('portal.contest.quotaWomen', { count: number(q.women), required: number(q.womenRequired) })} — {q.womenMet ? t('portal.contest.quotaMet') : t('portal.contest.quotaNotMet')}
        </li>
        <li class={q.youthMet ? 'met' : 'not-met'}>
          {t('portal.contest.quotaYouth', { count: number(q.youth), required: number(q.youthRequired) })} — {q.youthMet ? t('portal.contest.quotaMet') : t('portal.contest.quotaNotMet')}
        </li>
      </ul>

      {removed.length > 0 && (
        <>
          <h2>{t('portal.contest.removedHere')}</h2>
          <ul class="removed-here">
            {removed.map((x) => (
              <li key={x.id} data-candidate={x.id}>
                <strong>{local(lang, x.name, x.nameKk)}</strong>
                {x.removedAt ? ` · ${dateTime(x.removedAt)}` : ''} · {x.removalReason ?? t('portal.removed.noReason')}
              </li>
            ))}
          </ul>
        </>
      )}
      <Downloads name={`contest-${c.id}`} rows={r.candidates} columns={columns} json={r} />
      {polled.stale && <Notice kind="error">{t('portal.stale')}</Notice>}
      <p>
        <a href="/">{t('portal.contest.back')}</a>
      </p>
    </Screen>
  );
}
