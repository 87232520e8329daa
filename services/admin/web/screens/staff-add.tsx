import { useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { Field, NetworkError, Notice, useI18n } from '@primaries/ui';
import { ROLES, type Role } from '../api';
import { useSession } from '../session';

const ERRORS: Record<string, MessageKey> = {
  ADMIN_ERR_LOGIN_TAKEN: 'errors.ADMIN_ERR_LOGIN_TAKEN',
  ADMIN_ERR_STATION_REQUIRED: 'errors.ADMIN_ERR_STATION_REQUIRED',
  ADMIN_ERR_UNKNOWN_STATION: 'errors.ADMIN_ERR_UNKNOWN_STATION',
  ADMIN_ERR_VALIDATION: 'admin.staff.add.invalid',
};

/** The form that adds an account, and the one-time link it answers (shown once: it is not stored). */
export function AddStaff({ onAdded }: { onAdded: () => void }) {
  const { t, dateTime } = useI18n();
  const { api } = useSession();
  const [role, setRole] = useState<Role>('observer');
  const [login, setLogin] = useState('');
  const [station, setStation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);
  const [added, setAdded] = useState<{ login: string; url: string; expiresAt: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(null);
    try {
      const body = { role, ...(login.trim() ? { login: login.trim().toLowerCase() } : {}), ...(role === 'precinct' && station ? { stationId: Number(station) } : {}) };
      const r = await api.addStaff(body);
      if (r.ok) {
        setAdded({ login: r.data.staff.login, url: r.data.enrolmentUrl, expiresAt: r.data.expiresAt });
        setLogin('');
        setStation('');
        onAdded();
      } else setError(ERRORS[r.error.code] ?? 'common.error.body');
    } catch (err) {
      setError(err instanceof NetworkError ? 'common.offline.body' : 'common.error.body');
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="staff-add">
      <h2 id="staff-add">{t('admin.staff.add')}</h2>
      {added && (
        <Notice kind="ok">
          <p>{t('admin.staff.added', { login: added.login })}</p>
          <label for="enrolment-link">{t('admin.staff.link')}</label>
          <input id="enrolment-link" class="link-box" type="text" readOnly value={added.url} aria-describedby="enrolment-link-hint" onFocus={(e) => e.currentTarget.select()} />
          <p id="enrolment-link-hint" class="hint">
            {t('admin.staff.linkHint', { time: dateTime(added.expiresAt) })}
          </p>
        </Notice>
      )}
      {error && (
        <Notice kind="error" live="alert">
          <span data-error={error}>{t(error)}</span>
        </Notice>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <div class="field">
          <label for="role">{t('admin.staff.role')}</label>
          <select id="role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`common.role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <Field id="new-login" label={t('admin.staff.login.optional')} hint={t('admin.staff.login.hint')} value={login} onValue={setLogin} autoComplete="off" spellcheck={false} maxLength={64} />
        {role === 'precinct' && <Field id="station" label={t('admin.staff.station')} value={station} onValue={setStation} mask={(s) => s.replace(/\D/g, '').slice(0, 9)} inputMode="numeric" required />}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t('admin.staff.add.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
