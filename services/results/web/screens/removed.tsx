import { type Column, Downloads, Screen, useI18n } from '@primaries/ui';
import { local } from '../names';
import { ScrollBox } from '../scroll';
import type { RemovedCandidate, Summary } from '../types';

/** The public list of candidates the party-control committee removed, with when and why. */
export function RemovedScreen({ summary: s }: { summary: Summary }) {
  const { t, lang, dateTime } = useI18n();
  const rows = s.removed ?? [];
  const contests = new Map(s.contests.map((c) => [c.id, c]));
  const contestName = (r: RemovedCandidate) => {
    const c = contests.get(r.contestId);
    return c ? local(lang, c.name, c.nameKk) : String(r.contestId);
  };
  const columns: Column<RemovedCandidate>[] = [
    { header: 'contest_id', value: (r) => r.contestId },
    { header: 'contest', value: contestName },
    { header: 'candidate_id', value: (r) => r.candidateId },
    { header: 'candidate', value: (r) => local(lang, r.name, r.nameKk) },
    { header: 'removed_at', value: (r) => r.removedAt },
    { header: 'reason', value: (r) => r.reason },
  ];
  return (
    <Screen title={t('portal.removed.title')} state="removed">
      <p>{t('portal.removed.lead')}</p>
      {rows.length === 0 ? (
        <p data-empty="true">{t('portal.removed.none')}</p>
      ) : (
        <ScrollBox labelledBy="h-removed">
          <table class="removed-list" aria-labelledby="h-removed">
            <thead>
              <tr>
                <th scope="col">{t('portal.contest.candidate')}</th>
                <th scope="col">{t('portal.removed.contest')}</th>
                <th scope="col">{t('portal.removed.when')}</th>
                <th scope="col">{t('portal.removed.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.candidateId} data-candidate={r.candidateId}>
                  <td>{local(lang, r.name, r.nameKk)}</td>
                  <td>
                    <a href={`/contest?id=${r.contestId}`}>{contestName(r)}</a>
                  </td>
                  <td>{r.removedAt ? dateTime(r.removedAt) : '–'}</td>
                  <td>{r.reason ?? t('portal.removed.noReason')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <Downloads name="removed-candidates" rows={rows} columns={columns} />
    </Screen>
  );
}
