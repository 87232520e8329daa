import { useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { Field, NetworkError, Notice, Screen, iinInput, useI18n } from '@primaries/ui';
import type { MemberStatus } from '../api';
import { useSession } from '../session';

const STATUSES: MemberStatus[] = ['active', 'expelled', 'blocked', 'suspended'];
const ERRORS: Record<string, MessageKey> = {
  ADMIN_ERR_MEMBER_NOT_FOUND: 'errors.ADMIN_ERR_MEMBER_NOT_FOUND',
  ADMIN_ERR_FREEZE_CONTROL_ONLY: 'errors.ADMIN_ERR_FREEZE_CONTROL_ONLY',
  ADMIN_ERR_VALIDATION: 'setup.member.invalid',
};

/** A member's status by decision (organizers; control, also during the membership freeze): docs/register.md#the-membership-freeze. */
export function MemberStatusScreen() {
  const { t } = useI18n();
  const { api } = useSession();
  const [iin, setIin] = useState('');
  const [status, setStatus] = useState<MemberStatus>('blocked');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ key: MessageKey; text: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    if (iin.length !== 12 || reason.trim().length < 3) return setError({ key: 'setup.member.invalid', text: t('setup.member.invalid') });
    setBusy(true);
    try {
      const r = await api.memberStatus(iin, status, reason.trim());
      if (r.ok) {
        const { member, changed } = r.data;
        setDone(changed ? t('setup.member.done', { from: t(`setup.member.status.${member.previousStatus}`), to: t(`setup.member.status.${member.status}`) }) : t('setup.member.same'));
        setIin('');
        setReason('');
      } else {
        const key = ERRORS[r.error.code] ?? 'common.error.body';
        // The freeze refusal names its dates: the server's words (in this language) carry them.
        setError({ key, text: r.error.code === 'ADMIN_ERR_FREEZE_CONTROL_ONLY' ? r.error.message : t(key) });
      }
    } catch (err) {
      const key: MessageKey = err instanceof NetworkError ? 'common.offline.body' : 'common.error.body';
      setError({ key, text: t(key) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Screen title={t('setup.member.title')} state="member-status">
      <p>{t('setup.member.lead')}</p>
      {done && (
        <Notice kind="ok">
          <span data-done="true">{done}</span>
        </Notice>
      )}
      {error && (
        <Notice kind="error" live="alert">
          <span data-error={error.key}>{error.text}</span>
        </Notice>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field id="member-iin" label={t('setup.member.iin')} value={iin} onValue={setIin} mask={iinInput} inputMode="numeric" autoComplete="off" required />
        <div class="field">
          <label for="member-status">{t('setup.member.status')}</label>
          <select id="member-status" value={status} onChange={(e) => setStatus(e.currentTarget.value as MemberStatus)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`setup.member.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <Field id="member-reason" label={t('setup.member.reason')} value={reason} onValue={setReason} maxLength={500} required />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t('setup.member.submit')}
          </button>
        </div>
      </form>
    </Screen>
  );
}
