import { useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { type ApiResult, Field, NetworkError, Notice, Screen, useI18n } from '@primaries/ui';
import { codeMask } from '../api';
import { type SignedOutReason, useSession } from '../session';

type Problem = { key: MessageKey; values?: Record<string, number>; field?: 'code' } | null;

/** What a refused sign-in tells the person: one message per refusal code (docs/admin.md). */
function signInProblem(r: Extract<ApiResult<unknown>, { ok: false }>): Problem {
  const code = r.error.code;
  if (code === 'ADMIN_ERR_SIGNIN_FAILED') return { key: 'admin.signin.error.failed' };
  if (code === 'ADMIN_ERR_TOTP_REPLAYED') return { key: 'admin.signin.error.replayed', field: 'code' };
  if (code === 'ADMIN_ERR_LOCKED') return { key: 'admin.signin.error.locked' };
  if (/_ERR_RATE_LIMITED$/.test(code)) return { key: 'admin.signin.error.rateLimited', values: { minutes: Math.max(1, Math.ceil((r.retryAfter ?? 60) / 60)) } };
  if (code === 'ADMIN_ERR_VALIDATION') return { key: 'admin.signin.error.validation' };
  return { key: 'common.error.body' };
}

const NOTICES: Record<Exclude<SignedOutReason, 'none'>, MessageKey> = {
  expired: 'admin.signin.expired',
  signedOut: 'admin.signin.signedOut',
  everywhere: 'admin.signin.signedOutEverywhere',
};

/** Sign-in: login, password and the authenticator's current code, all three required. */
export function SignInScreen({ reason }: { reason: SignedOutReason }) {
  const { t } = useI18n();
  const { api, signedIn } = useSession();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem>(null);
  const [codeShort, setCodeShort] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (code.length !== 6) return setCodeShort(true);
    setCodeShort(false);
    setBusy(true);
    setProblem(null);
    try {
      const r = await api.signIn(login.trim(), password, code);
      if (r.ok) return signedIn(r.data.staff);
      setProblem(signInProblem(r));
      setCode('');
    } catch (err) {
      setProblem({ key: err instanceof NetworkError ? 'common.offline.body' : 'common.error.body' });
    } finally {
      setBusy(false);
    }
  };
  const message = problem ? t(problem.key, problem.values) : null;
  return (
    <Screen title={t('admin.signin.title')} state="signin">
      {reason !== 'none' && (
        <Notice kind={reason === 'expired' ? 'error' : 'ok'} live={reason === 'expired' ? 'alert' : 'status'}>
          <span data-reason={reason}>{t(NOTICES[reason])}</span>
        </Notice>
      )}
      <p>{t('admin.signin.lead')}</p>
      {message && problem?.field !== 'code' && (
        <Notice kind="error" live="alert">
          <span data-error={problem?.key}>{message}</span>
        </Notice>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field id="login" label={t('admin.signin.login')} value={login} onValue={setLogin} autoComplete="username" spellcheck={false} required maxLength={64} />
        <Field id="password" type="password" label={t('admin.signin.password')} value={password} onValue={setPassword} autoComplete="current-password" required maxLength={1024} />
        <Field
          id="totp"
          label={t('admin.signin.code')}
          hint={t('admin.signin.codeHint')}
          value={code}
          onValue={setCode}
          mask={codeMask}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
          error={problem?.field === 'code' ? message : codeShort ? t('admin.code.short') : null}
        />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? t('admin.signin.busy') : t('admin.signin.submit')}
          </button>
        </div>
      </form>
    </Screen>
  );
}
