import { useCallback, useEffect, useState } from 'preact/hooks';
import { NetworkError, Notice, Screen, useI18n } from '@primaries/ui';
import type { StaffView } from '../api';
import { useSession } from '../session';
import { AddStaff } from './staff-add';
import { DisableStaff } from './staff-disable';

/** Staff accounts (organizers): the list, adding one (its one-time link shown once), disabling one with a reason. */
export function StaffScreen() {
  const { t } = useI18n();
  const { api } = useSession();
  const [staff, setStaff] = useState<StaffView[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [disabling, setDisabling] = useState<StaffView | null>(null);
  const reload = useCallback(async () => {
    try {
      const r = await api.staff();
      if (r.ok) setStaff(r.data.staff);
      setFailed(!r.ok);
    } catch (err) {
      if (err instanceof NetworkError) setFailed(true);
    }
  }, [api]);
  useEffect(() => void reload(), [reload]);
  const state = (s: StaffView) => (s.disabled ? 'disabled' : s.enrolled ? 'enrolled' : 'pending');
  return (
    <Screen title={t('admin.staff.title')} state="staff">
      {failed && (
        <Notice kind="error" live="alert">
          {t('common.error.body')}
        </Notice>
      )}
      <AddStaff onAdded={() => void reload()} />
      <h2 id="staff-list">{t('admin.staff.list')}</h2>
      {staff === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : (
        <div class="scroll-x" tabIndex={0} role="region" aria-labelledby="staff-list">
          <table class="staff" aria-labelledby="staff-list">
            <thead>
              <tr>
                <th scope="col">{t('admin.staff.login')}</th>
                <th scope="col">{t('admin.staff.role')}</th>
                <th scope="col">{t('admin.staff.stationColumn')}</th>
                <th scope="col">{t('admin.staff.state')}</th>
                <th scope="col">{t('admin.staff.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {staff.map((s) => (
                <tr key={s.id} data-staff={s.id} data-login={s.login} data-state={`staff-${state(s)}`}>
                  <th scope="row">{s.login}</th>
                  <td>{t(`common.role.${s.role}`)}</td>
                  <td>{s.stationId ?? '–'}</td>
                  <td>{t(`admin.staff.state.${state(s)}`)}</td>
                  <td>
                    {!s.disabled && (
                      <button type="button" class="link" data-disable={s.id} aria-label={t('admin.staff.disableWho', { login: s.login })} onClick={() => setDisabling(s)}>
                        {t('admin.staff.disable')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {disabling && (
        <DisableStaff
          who={disabling}
          onCancel={() => setDisabling(null)}
          onDisabled={() => {
            setDisabling(null);
            void reload();
          }}
        />
      )}
    </Screen>
  );
}
