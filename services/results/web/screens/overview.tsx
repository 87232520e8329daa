import { useState } from 'preact/hooks';
import { type Column, Downloads, Screen, useI18n } from '@primaries/ui';
import { local } from '../names';
import { ScrollBox } from '../scroll';
import type { ContestSummary, Level, Summary } from '../types';

const LEVELS: readonly Level[] = ['national', 'region', 'district'];

/** The three turnout figures and the share, as a definition list. */
export function TurnoutFigures({ s }: { s: Summary }) {
  const { t, number, percent } = useI18n();
  const share = s.turnout.eligible > 0 ? s.turnout.voted / s.turnout.eligible : 0;
  return (
    <dl class="figures">
      <div>
        <dt>{t('portal.turnout.eligible')}</dt>
        <dd data-figure="eligible">{number(s.turnout.eligible)}</dd>
      </div>
      <div>
        <dt>{t('portal.turnout.authorized')}</dt>
        <dd data-figure="authorized">{number(s.turnout.authorized)}</dd>
      </div>
      <div>
        <dt>{t('portal.turnout.voted')}</dt>
        <dd data-figure="voted">{number(s.turnout.voted)}</dd>
      </div>
      <div>
        <dt>{t('portal.turnout.share')}</dt>
        <dd data-figure="share">{percent(share)}</dd>
      </div>
    </dl>
  );
}

/** Where a contest is: its region and district, in the page's language. */
export function place(lang: 'kk' | 'ru' | 'en', c: ContestSummary): string {
  return [c.region !== null ? local(lang, c.region, c.regionKk) : null, c.district !== null ? local(lang, c.district, c.districtKk) : null].filter(Boolean).join(', ');
}

/** The front page: turnout in brief and every contest, filtered by level or by a word. */
export function Overview({ summary: s }: { summary: Summary }) {
  const { t, lang, number } = useI18n();
  const [level, setLevel] = useState<Level | ''>('');
  const [query, setQuery] = useState('');
  const q = query.trim().toLocaleLowerCase();
  const rows = s.contests.filter(
    (c) => (!level || c.level === level) && (!q || [c.name, c.nameKk, c.region, c.regionKk, c.district, c.districtKk].some((n) => n?.toLocaleLowerCase().includes(q))),
  );
  const columns: Column<ContestSummary>[] = [
    { header: 'contest_id', value: (c) => c.id },
    { header: 'contest', value: (c) => local(lang, c.name, c.nameKk) },
    { header: 'level', value: (c) => c.level },
    { header: 'region', value: (c) => (c.region === null ? null : local(lang, c.region, c.regionKk)) },
    { header: 'district', value: (c) => (c.district === null ? null : local(lang, c.district, c.districtKk)) },
    { header: 'seats', value: (c) => c.seats },
    { header: 'ballots', value: (c) => c.ballots },
    { header: 'online', value: (c) => c.online },
    { header: 'paper', value: (c) => c.paper },
  ];
  return (
    <Screen title={t('portal.overview.title')} state="overview">
      <h2>{t('portal.turnout.title')}</h2>
      <TurnoutFigures s={s} />
      <h2 id="contests-h">{t('portal.contests.title')}</h2>
      <div class="filters">
        <div class="field">
          <label for="f-level">{t('portal.contests.filter')}</label>
          <select id="f-level" value={level} onChange={(e) => setLevel(e.currentTarget.value as Level | '')}>
            <option value="">{t('portal.contests.all')}</option>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {t(`portal.level.${l}`)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-query">{t('portal.contests.search')}</label>
          <input id="f-query" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
      </div>
      <p role="status" class="muted" data-count={rows.length}>
        {t('portal.contests.count', { count: rows.length })}
      </p>
      {rows.length === 0 ? (
        <p>{t('portal.contests.none')}</p>
      ) : (
        <ScrollBox labelledBy="contests-h">
          <table class="contests" aria-labelledby="contests-h">
            <thead>
              <tr>
                <th scope="col">{t('portal.contests.name')}</th>
                <th scope="col" class="n">
                  {t('portal.contests.seats')}
                </th>
                <th scope="col" class="n">
                  {t('portal.contests.ballots')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id} data-contest={c.id}>
                  <td>
                    <a href={`/contest?id=${c.id}`}>{local(lang, c.name, c.nameKk)}</a>
                    <span class="level">
                      {t(`portal.level.${c.level}`)}
                      {place(lang, c) ? ` · ${place(lang, c)}` : ''}
                    </span>
                  </td>
                  <td class="n">{number(c.seats)}</td>
                  <td class="n">{number(c.ballots)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <Downloads name="contests" rows={rows} columns={columns} />
    </Screen>
  );
}
