import type { ComponentChildren } from 'preact';
import { formatTime } from '@primaries/i18n';
import { useI18n } from '@primaries/ui';
import { local } from './names';
import type { Candidate, HourTurnout, RegionTurnout } from './types';

/** Badges of a candidate: woman, under 35, removed. */
function Badges({ c }: { c: Candidate }) {
  const { t } = useI18n();
  return (
    <span class="badges">
      {c.woman && <span class="badge woman">{t('portal.contest.badge.woman')}</span>}
      {c.youth && <span class="badge youth">{t('portal.contest.badge.youth')}</span>}
      {c.removed && <span class="badge removed">{t('portal.contest.badge.removed')}</span>}
    </span>
  );
}

/**
 * A rating as a bar chart: one list item per candidate whose words say everything (place,
 * name, votes, share), and a bar as wide as the candidate's share of the ballots, hidden from
 * screen readers. Widths are set through the CSSOM (the CSP allows no style attribute).
 */
export function Rating({ rows, rankOf }: { rows: readonly Candidate[]; rankOf: (c: Candidate) => number | null }) {
  const { t, lang, number, percent } = useI18n();
  if (!rows.length) return <p class="muted">{t('portal.contest.empty')}</p>;
  return (
    <ol class="rating">
      {rows.map((c) => {
        const rank = rankOf(c);
        return (
          <li key={c.id} data-candidate={c.id} class={c.removed ? 'removed' : undefined}>
            <div class="rating-line">
              <span class="rank" aria-hidden="true">
                {rank ?? '–'}
              </span>
              <span class="cname">{local(lang, c.name, c.nameKk)}</span>
              <Badges c={c} />
              <span class="votes">
                {number(c.votes)} · {percent(c.percent / 100)}
              </span>
            </div>
            <div class="bar" aria-hidden="true">
              <span style={{ width: `${Math.min(100, Math.max(0, c.percent))}%` }} />
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** Where each region of Kazakhstan (2020, ISO 3166-2:KZ codes) sits on the tile map: [column, row]. */
const TILES: Readonly<Record<string, readonly [number, number]>> = {
  KUS: [2, 1], SEV: [3, 1], PAV: [4, 1],
  ZAP: [1, 2], AKT: [2, 2], AKM: [3, 2], AST: [4, 2], VOS: [5, 2],
  ATY: [1, 3], KZY: [2, 3], KAR: [3, 3], ALM: [5, 3],
  MAN: [1, 4], YUZ: [2, 4], SHY: [3, 4], ZHA: [4, 4], ALA: [5, 4],
  // Regions formed in 2022, should an election use them.
  ABY: [5, 1], ULY: [3, 3], ZHT: [5, 3],
};

const share = (r: RegionTurnout) => (r.eligible > 0 ? r.voted / r.eligible : 0);
/** Five shades by turnout; text colours chosen for AA contrast on each. */
const shade = (s: number) => Math.min(4, Math.floor(s * 5));

function Tile({ r, at }: { r: RegionTurnout; at?: readonly [number, number] }) {
  const { t, lang, percent } = useI18n();
  const name = local(lang, r.region, r.regionKk);
  return (
    <li class={`tile s${shade(share(r))}`} data-region={r.regionCode ?? r.regionId} style={at ? { gridColumn: String(at[0]), gridRow: String(at[1]) } : undefined}>
      <span class="code" aria-hidden="true">
        {r.regionCode && at ? r.regionCode : name}
      </span>
      <span class="share" aria-hidden="true">
        {percent(share(r))}
      </span>
      <span class="visually-hidden">{t('portal.turnout.tile', { region: name, share: percent(share(r)) })}</span>
    </li>
  );
}

/** Turnout by region as a tile map: a square per region, roughly where it lies; others below. */
export function TileMap({ regions }: { regions: readonly RegionTurnout[] }) {
  const { t } = useI18n();
  const placed = regions.filter((r) => r.regionCode && TILES[r.regionCode]);
  const others = regions.filter((r) => !r.regionCode || !TILES[r.regionCode]);
  return (
    <figure class="tilemap">
      <figcaption>{t('portal.turnout.mapHint')}</figcaption>
      {placed.length > 0 && (
        <ul class="tiles" aria-label={t('portal.turnout.map')}>
          {placed.map((r) => (
            <Tile key={r.regionId} r={r} at={TILES[r.regionCode!]} />
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <ul class="tiles others" aria-label={t('portal.turnout.other')}>
          {others.map((r) => (
            <Tile key={r.regionId} r={r} />
          ))}
        </ul>
      )}
    </figure>
  );
}

/** Turnout over time: members who had voted by the end of each hour, as columns (SVG). */
export function HourChart({ hours, children }: { hours: readonly HourTurnout[]; children?: ComponentChildren }) {
  const { t, number, dateTime } = useI18n();
  if (!hours.length) return <p class="muted">{t('portal.turnout.noHours')}</p>;
  const max = Math.max(1, ...hours.map((h) => h.cumulative));
  const first = hours[0]!;
  const last = hours[hours.length - 1]!;
  const w = 10;
  return (
    <figure class="hours">
      <svg
        viewBox={`0 0 ${hours.length * w} 100`}
        preserveAspectRatio="none"
        role="img"
        aria-label={t('portal.turnout.chart', { first: dateTime(first.hour), last: dateTime(new Date(Date.parse(last.hour) + 3600_000)), total: number(last.cumulative) })}
      >
        {hours.map((h, i) => {
          const height = (h.cumulative / max) * 100;
          return <rect key={h.hour} x={i * w + 1} width={w - 2} y={100 - height} height={height} />;
        })}
      </svg>
      <div class="axis" aria-hidden="true">
        <span>{formatTime(first.hour)}</span>
        <span>{number(last.cumulative)}</span>
        <span>{formatTime(new Date(Date.parse(last.hour) + 3600_000))}</span>
      </div>
      {children}
    </figure>
  );
}
