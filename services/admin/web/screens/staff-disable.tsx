import { useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { Field, NetworkError, Notice, useI18n } from '@primaries/ui';
import type { StaffView } from '../api';
import { useSession } from '../session';

/** Disabling an account: a reason (it goes into the audit trail), then confirm. Its sessions end at once. */
export function DisableStaff({ who, onCancel, onDisabled }: { who: StaffView; onCancel: () => void; onDisabled: () => void }) {
  const { t } = useI18n();
  const { api } = useSession();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (reason.trim().length < 3) return setError('admin.staff.disable.reasonShort');
    setBusy(true);
    setError(null);
    try {
      const r = await api.disableStaff(who.id, reason.trim());
      if (r.ok) return onDisabled();
      setError(r.error.code === 'ADMIN_ERR_LAST_ORGANIZER' ? 'errors.ADMIN_ERR_LAST_ORGANIZER' : r.error.code === 'ADMIN_ERR_STAFF_NOT_FOUND' ? 'errors.ADMIN_ERR_STAFF_NOT_FOUND' : 'common.error.body');
    } catch (err) {
      setError(err instanceof NetworkError ? 'common.offline.body' : 'common.error.body');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="disable" aria-labelledby="staff-disable">
      <h2 id="staff-disable">{t('admin.staff.disable.title', { login: who.login })}</h2>
      <p>{t('admin.staff.disable.body')}</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field id="reason" label={t('admin.staff.disable.reason')} value={reason} onValue={setReason} maxLength={500} required autoFocus error={error === 'admin.staff.disable.reasonShort' ? t(error) : null} />
        {error && error !== 'admin.staff.disable.reasonShort' && (
          <Notice kind="error" live="alert">
            <span data-error={error}>{t(error)}</span>
          </Notice>
        )}
        <div class="actions">
          <button type="submit" disabled={busy} id="confirm-disable">
            {t('admin.staff.disable.confirm')}
          </button>
          <button type="button" class="secondary" onClick={onCancel}>
            {t('admin.staff.disable.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
