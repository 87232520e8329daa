import { formatTime } from '@primaries/i18n';
import { type Column, Downloads, Screen, useI18n } from '@primaries/ui';
import { HourChart, TileMap } from '../charts';
import { local } from '../names';
import { ScrollBox } from '../scroll';
import { usePolled } from '../poll';
import type { HourTurnout, RegionTurnout, Summary } from '../types';
import { TurnoutFigures } from './overview';

/** Turnout: the figures, by region (tile map and table), and hour by hour. */
export function TurnoutScreen({ summary: s }: { summary: Summary }) {
  const { t, lang, number, percent, dateTime } = useI18n();
  const regions = usePolled<RegionTurnout[]>('/api/v1/results/turnout').data ?? [];
  const hours = s.turnoutByHour ?? [];
  const share = (r: { voted: number; eligible: number }) => (r.eligible > 0 ? r.voted / r.eligible : 0);
  const regionColumns: Column<RegionTurnout>[] = [
    { header: 'region_id', value: (r) => r.regionId },
    { header: 'region_code', value: (r) => r.regionCode ?? null },
    { header: 'region', value: (r) => local(lang, r.region, r.regionKk) },
    { header: 'eligible', value: (r) => r.eligible },
    { header: 'authorized', value: (r) => r.authorized },
    { header: 'voted', value: (r) => r.voted },
  ];
  const hourColumns: Column<HourTurnout>[] = [
    { header: 'hour', value: (h) => h.hour },
    { header: 'voted_in_hour', value: (h) => h.voted },
    { header: 'voted_by_then', value: (h) => h.cumulative },
  ];
  return (
    <Screen title={t('portal.turnout.title')} state="turnout">
      <TurnoutFigures s={s} />
      <h2 id="regions-h">{t('portal.turnout.byRegion')}</h2>
      <TileMap regions={regions} />
      <ScrollBox labelledBy="regions-h">
        <table class="regions" aria-labelledby="regions-h">
          <thead>
            <tr>
              <th scope="col">{t('portal.turnout.region')}</th>
              <th scope="col" class="n">
                {t('portal.turnout.eligible')}
              </th>
              <th scope="col" class="n">
                {t('portal.turnout.authorized')}
              </th>
              <th scope="col" class="n">
                {t('portal.turnout.voted')}
              </th>
              <th scope="col" class="n">
                {t('portal.turnout.share')}
              </th>
            </tr>
          </thead>
          <tbody>
            {regions.map((r) => (
              <tr key={r.regionId} data-region={r.regionId}>
                <th scope="row">{local(lang, r.region, r.regionKk)}</th>
                <td class="n">{number(r.eligible)}</td>
                <td class="n">{number(r.authorized)}</td>
                <td class="n">{number(r.voted)}</td>
                <td class="n">{percent(share(r))}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('portal.turnout.total')}</th>
              <td class="n">{number(s.turnout.eligible)}</td>
              <td class="n">{number(s.turnout.authorized)}</td>
              <td class="n">{number(s.turnout.voted)}</td>
              <td class="n">{percent(share(s.turnout))}</td>
            </tr>
          </tfoot>
        </table>
      </ScrollBox>
      <Downloads name="turnout-by-region" rows={regions} columns={regionColumns} />

      <h2 id="hours-h">{t('portal.turnout.byHour')}</h2>
      <p class="muted">{t('portal.turnout.byHourHint')}</p>
      <HourChart hours={hours} />
      {hours.length > 0 && (
        <ScrollBox labelledBy="hours-h" tall>
          <table class="hours-table" aria-labelledby="hours-h">
            <thead>
              <tr>
                <th scope="col">{t('portal.turnout.hour')}</th>
                <th scope="col" class="n">
                  {t('portal.turnout.newVoters')}
                </th>
                <th scope="col" class="n">
                  {t('portal.turnout.cumulative')}
                </th>
              </tr>
            </thead>
            <tbody>
              {hours.map((h) => (
                <tr key={h.hour}>
                  <th scope="row">
                    {dateTime(h.hour, { time: false })} {formatTime(h.hour)}
                  </th>
                  <td class="n">{number(h.voted)}</td>
                  <td class="n">{number(h.cumulative)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <Downloads name="turnout-by-hour" rows={hours} columns={hourColumns} />
    </Screen>
  );
}
