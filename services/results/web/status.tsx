import { useI18n } from '@primaries/ui';
import { local } from './names';
import type { Summary } from './types';

/** The election's name and where the results stand: interim or final, updated when, next update when. */
export function StatusBar({ s }: { s: Summary }) {
  const { t, lang, dateTime } = useI18n();
  return (
    <div class="status-bar" data-final={s.final ? 'true' : 'false'}>
      <p class="election-name">{local(lang, s.election.name, s.election.nameKk)}</p>
      <p class="stamps">
        <strong class={`stage ${s.final ? 'final' : 'interim'}`}>{s.final ? t('portal.status.final') : t('portal.status.interim')}</strong>
        <span>{t(`portal.status.${s.election.state}`)}</span>
        <span data-updated={s.generatedAt}>{t('portal.updatedAt', { time: dateTime(s.generatedAt) })}</span>
        {!s.final && <span>{t('portal.nextUpdateAt', { time: dateTime(s.nextRefreshAt) })}</span>}
      </p>
      {s.pending > 0 && !s.final && <p class="pending">{t('portal.pending', { count: s.pending })}</p>}
    </div>
  );
}
