import { isValidIin } from '@primaries/domain/iin';
import type { MessageKey } from '@primaries/i18n';
import { Field, Notice, Screen, iinInput, phoneE164, phoneInput, useI18n } from '@primaries/ui';
import { useState } from 'preact/hooks';

export interface SignInValues {
  iin: string;
  /** E.164. */
  phone: string;
}

/** The IIN's problem as a message, or null: length first, then the check digit. */
function iinProblem(iin: string): { key: MessageKey; count?: number } | null {
  if (!iin) return { key: 'vote.field.required' };
  if (iin.length !== 12) return { key: 'vote.field.iinLength', count: iin.length };
  return isValidIin(iin) ? null : { key: 'vote.field.iinChecksum' };
}

/**
 * IIN and phone, checked in the page before anything is sent: a typo in the IIN is caught
 * by its check digit. `onSubmit` sends the code request; `error` is the server's answer.
 */
export function SignIn({ initial, busy, error, onSubmit }: { initial?: SignInValues; busy: boolean; error?: MessageKey | null; onSubmit: (v: SignInValues) => void }) {
  const { t } = useI18n();
  const [iin, setIin] = useState(initial?.iin ?? '');
  const [phone, setPhone] = useState(initial ? phoneInput(initial.phone) : '');
  const [checked, setChecked] = useState(false);
  const iinErr = iinProblem(iin);
  const e164 = phoneE164(phone);
  const phoneErr: MessageKey | null = !phone ? 'vote.field.required' : e164 ? null : 'vote.field.phone';
  const submit = (e: Event) => {
    e.preventDefault();
    setChecked(true);
    if (iinErr || !e164) {
      document.getElementById(iinErr ? 'iin' : 'phone')?.focus();
      return;
    }
    onSubmit({ iin, phone: e164 });
  };
  return (
    <Screen title={t('vote.signin.title')} state="signin">
      <p>{t('vote.signin.lead')}</p>
      {error && (
        <Notice kind="error" live="alert">
          {t(error)}
        </Notice>
      )}
      <form noValidate onSubmit={submit}>
        <Field
          id="iin"
          name="iin"
          label={t('vote.signin.iin')}
          hint={t('vote.signin.iinHint')}
          error={checked && iinErr ? t(iinErr.key, { count: iinErr.count ?? 0 }) : null}
          value={iin}
          inputMode="numeric"
          autoComplete="off"
          maxLength={12}
          spellcheck={false}
          mask={iinInput}
          onValue={setIin}
        />
        <Field
          id="phone"
          name="phone"
          label={t('vote.signin.phone')}
          hint={t('vote.signin.phoneHint')}
          error={checked && phoneErr ? t(phoneErr) : null}
          value={phone}
          inputMode="tel"
          autoComplete="tel"
          maxLength={16}
          mask={phoneInput}
          onValue={setPhone}
        />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {t('vote.signin.submit')}
          </button>
        </div>
      </form>
      <p class="hint">{t('vote.signin.oneIp')}</p>
    </Screen>
  );
}
