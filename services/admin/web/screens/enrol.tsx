import { useEffect, useMemo, useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { Field, NetworkError, Notice, Screen, useI18n } from '@primaries/ui';
import { type EnrolmentStart, adminApi, codeMask } from '../api';

/** Shortest password the server accepts (services/admin/src/auth/credentials.ts); it also estimates strength. */
const PASSWORD_MIN_LENGTH = 12;

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

type Step = { s: 'loading' } | { s: 'invalid' } | { s: 'failed'; key: MessageKey } | { s: 'form'; start: EnrolmentStart } | { s: 'done'; login: string };

/** The secret in groups of four, easier to type into an app by hand. */
const groupSecret = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ');

/**
 * Enrolment through the one-time link (`/enrol#<token>`: the token is in the fragment, so no
 * server log or Referer ever holds it): the account, a QR code and the secret for an
 * authenticator app, then a password and a first code, which use the link up.
 */
export function EnrolScreen() {
  const { t, lang } = useI18n();
  const api = useMemo(() => adminApi(lang), [lang]);
  const token = useMemo(() => location.hash.slice(1), []);
  const [step, setStep] = useState<Step>(TOKEN.test(token) ? { s: 'loading' } : { s: 'invalid' });
  useEffect(() => {
    if (!TOKEN.test(token)) return;
    api
      .enrolStart(token)
      .then((r) => setStep(r.ok ? { s: 'form', start: r.data } : r.error.code === 'ADMIN_ERR_ENROLMENT_INVALID' ? { s: 'invalid' } : { s: 'failed', key: 'common.error.body' }))
      .catch((err: unknown) => setStep({ s: 'failed', key: err instanceof NetworkError ? 'common.offline.body' : 'common.error.body' }));
    // Once: a second start would issue another secret.
  }, []);
  if (step.s === 'loading') {
    return (
      <p role="status" class="loading">
        {t('common.loading')}
      </p>
    );
  }
  if (step.s === 'invalid' || step.s === 'failed') {
    return (
      <Screen title={t('admin.enrol.invalid.title')} state="enrol-invalid">
        <p>{step.s === 'invalid' ? t('admin.enrol.invalid.body') : t(step.key)}</p>
      </Screen>
    );
  }
  if (step.s === 'done') {
    return (
      <Screen title={t('admin.enrol.done.title')} state="enrolled">
        <p>{t('admin.enrol.done.body', { login: step.login })}</p>
        <p>
          <a class="button" href="/">
            {t('admin.enrol.done.signIn')}
          </a>
        </p>
      </Screen>
    );
  }
  return <EnrolForm start={step.start} token={token} api={api} onDone={(login) => setStep({ s: 'done', login })} onInvalid={() => setStep({ s: 'invalid' })} />;
}

function EnrolForm({ start, token, api, onDone, onInvalid }: { start: EnrolmentStart; token: string; api: ReturnType<typeof adminApi>; onDone: (login: string) => void; onInvalid: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ password?: MessageKey; repeat?: MessageKey; code?: MessageKey; form?: MessageKey }>({});
  const { staff } = start;
  const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(start.qrSvg)}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    const local = {
      ...(password.length < PASSWORD_MIN_LENGTH ? { password: 'admin.enrol.error.short' as const } : {}),
      ...(repeat !== password ? { repeat: 'admin.enrol.error.repeat' as const } : {}),
      ...(code.length !== 6 ? { code: 'admin.code.short' as const } : {}),
    };
    setErrors(local);
    if (Object.keys(local).length) return;
    setBusy(true);
    try {
      const r = await api.enrolComplete(token, password, code);
      if (r.ok) {
        history.replaceState(null, '', location.pathname); // the used token leaves the address bar
        return onDone(r.data.staff.login);
      }
      const c = r.error.code;
      if (c === 'ADMIN_ERR_ENROLMENT_INVALID') return onInvalid();
      setErrors(c === 'ADMIN_ERR_WEAK_PASSWORD' ? { password: 'admin.enrol.error.weak' } : c === 'ADMIN_ERR_TOTP_INVALID' ? { code: 'admin.enrol.error.code' } : { form: 'common.error.body' });
    } catch (err) {
      setErrors({ form: err instanceof NetworkError ? 'common.offline.body' : 'common.error.body' });
    } finally {
      setBusy(false);
    }
  };
  const err = (k?: MessageKey) => (k ? t(k) : null);
  return (
    <Screen title={t('admin.enrol.title')} state="enrol">
      <p data-login={staff.login}>
        {staff.stationId === null
          ? t('admin.enrol.account', { login: staff.login, role: t(`common.role.${staff.role}`) })
          : t('admin.enrol.accountStation', { login: staff.login, role: t(`common.role.${staff.role}`), station: staff.stationId })}
      </p>
      <h2>{t('admin.enrol.app.title')}</h2>
      <p>{t('admin.enrol.app.body')}</p>
      <img class="qr" src={qr} width={200} height={200} alt={t('admin.enrol.app.qr')} />
      <p>
        {t('admin.enrol.app.secret')} <code class="secret" data-secret={start.totpSecret}>{groupSecret(start.totpSecret)}</code>
      </p>
      <p>
        <a href={start.otpauthUri}>{t('admin.enrol.app.open')}</a>
      </p>
      <h2>{t('admin.enrol.password.title')}</h2>
      {errors.form && (
        <Notice kind="error" live="alert">
          {t(errors.form)}
        </Notice>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field id="password" type="password" label={t('admin.enrol.password')} hint={t('admin.enrol.password.rules')} value={password} onValue={setPassword} autoComplete="new-password" required maxLength={1024} error={err(errors.password)} />
        <Field id="repeat" type="password" label={t('admin.enrol.repeat')} value={repeat} onValue={setRepeat} autoComplete="new-password" required maxLength={1024} error={err(errors.repeat)} />
        <Field id="totp" label={t('admin.enrol.code')} hint={t('admin.enrol.code.hint')} value={code} onValue={setCode} mask={codeMask} inputMode="numeric" autoComplete="one-time-code" maxLength={6} required error={err(errors.code)} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? t('admin.enrol.busy') : t('admin.enrol.submit')}
          </button>
        </div>
      </form>
    </Screen>
  );
}
