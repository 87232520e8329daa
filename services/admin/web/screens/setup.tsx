import { useCallback, useEffect, useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { NetworkError, Notice, Screen, useI18n } from '@primaries/ui';
import type { ImportReport, SetupCheck } from '../api';
import { useSession } from '../session';
import { ImportReportView } from './setup-report';

/** The election and every problem the pre-open check finds (docs/election-setup.md#the-pre-open-check). */
function PreOpenCheck({ check, onAgain }: { check: SetupCheck; onAgain: () => void }) {
  const { t, dateTime } = useI18n();
  const { election, problems } = check;
  return (
    <section aria-labelledby="pre-open" data-problems={problems.length}>
      <p>{t('setup.election', { name: election.name, slug: election.slug, opens: dateTime(election.opensAt), closes: dateTime(election.closesAt) })}</p>
      {!election.editable && (
        <Notice kind="info">
          <span data-locked="true">{t('setup.locked')}</span>
        </Notice>
      )}
      <h2 id="pre-open">{t('setup.check.title')}</h2>
      {problems.length === 0 ? (
        <p data-ready="true">{t('setup.check.ok')}</p>
      ) : (
        <>
          <p>{t('setup.check.count', { count: problems.length })}</p>
          <ul class="problems">
            {problems.map((p, i) => (
              <li key={i} data-problem={p.code}>
                {t(`setup.problem.${p.code}` as MessageKey)}
                {p.contestId !== undefined && ` (${t('setup.check.contest', { id: p.contestId })})`}
              </li>
            ))}
          </ul>
        </>
      )}
      <button type="button" class="secondary" onClick={onAgain}>
        {t('setup.check.again')}
      </button>
    </section>
  );
}

const ERRORS: Record<string, MessageKey> = {
  ADMIN_ERR_IMPORT_FILE_INVALID: 'errors.ADMIN_ERR_IMPORT_FILE_INVALID',
  ADMIN_ERR_SETUP_LOCKED: 'errors.ADMIN_ERR_SETUP_LOCKED',
  ADMIN_ERR_ELECTION_NOT_FOUND: 'errors.ADMIN_ERR_ELECTION_NOT_FOUND',
  ADMIN_ERR_PAYLOAD_TOO_LARGE: 'errors.common.PAYLOAD_TOO_LARGE',
};

/** Upload, check (a preview that writes nothing), then import: the same report both times. */
function ImportForm({ editable, onImported }: { editable: boolean; onImported: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [files, setFiles] = useState<Array<{ name: string; content: string }>>([]);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ key: MessageKey; detail?: string } | null>(null);

  const choose = async (list: FileList | null) => {
    setReport(null);
    setError(null);
    try {
      setFiles(await Promise.all([...(list ?? [])].map(async (f) => ({ name: f.name, content: await f.text() }))));
    } catch {
      setFiles([]);
      setError({ key: 'setup.import.unreadable' });
    }
  };
  const run = async (confirm: boolean) => {
    if (!files.length) return setError({ key: 'setup.import.noFiles' });
    setBusy(true);
    setError(null);
    try {
      const r = confirm ? await api.importConfirm(files) : await api.importPreview(files);
      if (r.ok) {
        setReport(r.data);
        if (confirm) onImported();
      } else if (r.error.code === 'ADMIN_ERR_IMPORT_REJECTED' && r.error.report) setReport(r.error.report as ImportReport);
      else {
        setReport(null);
        setError({ key: ERRORS[r.error.code] ?? 'common.error.body', detail: r.error.code === 'ADMIN_ERR_IMPORT_FILE_INVALID' ? r.error.message : undefined });
      }
    } catch (err) {
      setError({ key: err instanceof NetworkError ? 'common.offline.body' : 'common.error.body' });
    } finally {
      setBusy(false);
    }
  };
  const checkedClean = report !== null && report.dryRun && report.rejects.length === 0;
  return (
    <section aria-labelledby="setup-import">
      <h2 id="setup-import">{t('setup.import.title')}</h2>
      {error && (
        <Notice kind="error" live="alert">
          <span data-error={error.key}>{error.detail ?? t(error.key)}</span>
        </Notice>
      )}
      <form onSubmit={(e) => (e.preventDefault(), void run(false))} noValidate>
        <div class="field">
          <label for="setup-files">{t('setup.import.files')}</label>
          <p class="hint" id="setup-files-hint">
            {t('setup.import.filesHint')}
          </p>
          <input id="setup-files" type="file" multiple accept=".csv,text/csv" aria-describedby="setup-files-hint" disabled={!editable} onChange={(e) => void choose(e.currentTarget.files)} />
          {files.length > 0 && <p class="hint">{t('setup.import.chosen', { files: files.map((f) => f.name).join(', ') })}</p>}
        </div>
        <div class="actions">
          <button type="submit" id="setup-check" disabled={busy || !editable}>
            {busy ? t('setup.import.busy') : t('setup.import.check')}
          </button>
          {checkedClean && (
            <button type="button" id="setup-confirm" disabled={busy} onClick={() => void run(true)}>
              {t('setup.import.confirm')}
            </button>
          )}
        </div>
      </form>
      {report && <ImportReportView report={report} />}
    </section>
  );
}

/** Election setup (organizers): the pre-open check and the CSV import (issue #13). */
export function SetupScreen() {
  const { t } = useI18n();
  const { api } = useSession();
  const [check, setCheck] = useState<SetupCheck | 'none' | 'failed' | null>(null);
  const reload = useCallback(async () => {
    try {
      const r = await api.setupCheck();
      setCheck(r.ok ? r.data : r.error.code === 'ADMIN_ERR_ELECTION_NOT_FOUND' ? 'none' : 'failed');
    } catch (err) {
      if (err instanceof NetworkError) setCheck('failed');
    }
  }, [api]);
  useEffect(() => void reload(), [reload]);
  return (
    <Screen title={t('setup.title')} state="setup">
      <p>{t('setup.lead')}</p>
      {check === null && <p role="status">{t('common.loading')}</p>}
      {check === 'failed' && (
        <Notice kind="error" live="alert">
          {t('common.error.body')}
        </Notice>
      )}
      {check === 'none' && <p>{t('setup.none')}</p>}
      {typeof check === 'object' && check !== null && (
        <>
          <PreOpenCheck check={check} onAgain={() => void reload()} />
          <ImportForm editable={check.election.editable} onImported={() => void reload()} />
        </>
      )}
    </Screen>
  );
}
