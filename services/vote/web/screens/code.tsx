import { Field, Notice, Screen, maskedPhone, useCountdown, useI18n } from '@primaries/ui';
import { useState } from 'preact/hooks';
import type { VoterFlow } from '../flow';

/** The SMS code, with the resend countdown from `resendInSeconds` and the tries left after a wrong one. */
export function CodeEntry({ flow }: { flow: VoterFlow }) {
  const { t } = useI18n();
  const step = flow.step;
  const [code, setCode] = useState('');
  const [checked, setChecked] = useState(false);
  const resendAt = step.s === 'code' ? step.sentAt + step.challenge.resendInSeconds * 1000 : null;
  const resendIn = useCountdown(resendAt);
  if (step.s !== 'code' || !flow.values) return null;
  const problem = /^\d{6}$/.test(code) ? null : code ? 'vote.field.code' : 'vote.field.required';
  const submit = (e: Event) => {
    e.preventDefault();
    setChecked(true);
    if (problem) return document.getElementById('code')?.focus();
    void flow.verify(code);
  };
  return (
    <Screen title={t('vote.code.title')} state="code">
      <p>{t('vote.code.lead', { phone: maskedPhone(flow.values.phone), minutes: Math.ceil(step.challenge.expiresInSeconds / 60) })}</p>
      {step.left !== undefined && (
        <Notice kind="error" live="alert">
          {t('vote.code.invalid', { left: step.left })}
        </Notice>
      )}
      {step.resent && <Notice kind="ok">{t('vote.code.resent')}</Notice>}
      <form noValidate onSubmit={submit}>
        <Field
          id="code"
          name="code"
          label={t('vote.code.label')}
          error={checked && problem ? t(problem) : null}
          value={code}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          autoFocus
          mask={(s) => s.replace(/\D/g, '').slice(0, 6)}
          onValue={setCode}
        />
        <div class="actions">
          <button type="submit" disabled={flow.busy}>
            {t('vote.code.submit')}
          </button>
        </div>
      </form>
      <div class="actions">
        {resendIn > 0 ? (
          <p class="hint" data-resend-in={resendIn}>
            {t('vote.code.resendIn', { seconds: resendIn })}
          </p>
        ) : (
          <button type="button" class="secondary" disabled={flow.busy} onClick={() => flow.values && void flow.requestCode(flow.values, true)}>
            {t('vote.code.resend')}
          </button>
        )}
        <button type="button" class="link" onClick={() => flow.setStep({ s: 'signin' })}>
          {t('vote.code.changePhone')}
        </button>
      </div>
      <Notice>{t('vote.code.never')}</Notice>
    </Screen>
  );
}
