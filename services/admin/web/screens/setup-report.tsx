import { useI18n } from '@primaries/ui';
import type { ImportReport, SetupKind } from '../api';

const KINDS: SetupKind[] = ['regions', 'districts', 'contests', 'candidates'];

/** What an import would write (a preview) or wrote, by kind. */
function Counts({ report }: { report: ImportReport }) {
  const { t, number } = useI18n();
  const counts = report.counts!;
  return (
    <div class="scroll-x" tabIndex={0} role="region" aria-labelledby="report-counts">
      <table class="report-counts" aria-labelledby="report-counts">
        <thead>
          <tr>
            <th scope="col">{t('setup.report.what')}</th>
            <th scope="col">{t('setup.report.rows')}</th>
            <th scope="col">{t('setup.report.inserted')}</th>
            <th scope="col">{t('setup.report.updated')}</th>
            <th scope="col">{t('setup.report.deleted')}</th>
          </tr>
        </thead>
        <tbody>
          {KINDS.map((k) => {
            const rows = report.rows[k];
            return (
            <tr key={k} data-kind={k}>
              <th scope="row">{t(`setup.kind.${k}`)}</th>
              <td>{rows === undefined ? '–' : number(rows)}</td>
              <td data-count="inserted">{number(counts[k].inserted)}</td>
              <td data-count="updated">{number(counts[k].updated)}</td>
              <td>{counts[k].deleted === undefined ? '–' : number(counts[k].deleted ?? 0)}</td>
            </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Every refused line, by file and line number. */
function Rejects({ report }: { report: ImportReport }) {
  const { t, number } = useI18n();
  return (
    <>
      <h3 id="report-errors">{t('setup.report.errors')}</h3>
      <div class="scroll-x" tabIndex={0} role="region" aria-labelledby="report-errors">
        <table class="report-errors" aria-labelledby="report-errors">
          <thead>
            <tr>
              <th scope="col">{t('setup.report.file')}</th>
              <th scope="col">{t('setup.report.line')}</th>
              <th scope="col">{t('setup.report.reason')}</th>
              <th scope="col">{t('setup.report.message')}</th>
            </tr>
          </thead>
          <tbody>
            {report.rejects.map((r) => (
              <tr key={`${r.file}:${r.line}`} data-reject={`${r.file}:${r.line}`}>
                <td>{r.file}</td>
                <th scope="row">{number(r.line)}</th>
                <td>
                  <code>{r.reason}</code>
                </td>
                <td>{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** An import's report: refused lines (nothing written), or what was or would be written. */
export function ImportReportView({ report }: { report: ImportReport }) {
  const { t } = useI18n();
  const state = report.rejects.length ? 'rejected' : report.applied ? 'written' : 'preview';
  return (
    <section aria-labelledby="report-counts" data-report={state}>
      <h2 id="report-counts">{t('setup.report.title')}</h2>
      <p role="status">
        {state === 'rejected' ? t('setup.report.rejected', { count: report.rejects.length }) : state === 'written' ? t('setup.report.written') : t('setup.report.preview')}
      </p>
      {report.counts && <Counts report={report} />}
      {report.rejects.length > 0 && <Rejects report={report} />}
    </section>
  );
}
