import { useState } from 'preact/hooks';
import { useI18n } from '@primaries/ui';
import { useSession, useStaff } from '../session';

/** Who is signed in, with sign-out and sign-out everywhere (every page). */
export function SessionBar() {
  const { t } = useI18n();
  const staff = useStaff();
  const { signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const out = (everywhere: boolean) => {
    setBusy(true);
    void signOut(everywhere);
  };
  return (
    <div class="session-bar" data-role={staff.role}>
      <p class="who">
        {staff.stationId === null
          ? t('admin.session.who', { login: staff.login, role: t(`common.role.${staff.role}`) })
          : t('admin.session.whoStation', { login: staff.login, role: t(`common.role.${staff.role}`), station: staff.stationId })}
      </p>
      <div class="session-actions">
        <button type="button" class="secondary" id="sign-out" disabled={busy} onClick={() => out(false)}>
          {t('admin.session.signOut')}
        </button>
        <button type="button" class="secondary" id="sign-out-everywhere" disabled={busy} onClick={() => out(true)}>
          {t('admin.session.signOutEverywhere')}
        </button>
      </div>
    </div>
  );
}
