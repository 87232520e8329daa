import { Field, Screen, useI18n } from '@primaries/ui';
import { useState } from 'preact/hooks';
import { RECEIPT_PATTERN } from '../api';
import { ReceiptStatusLine } from './receipt-status';

/** /check: anyone checks a receipt; the answer holds no choice and no voter. */
export function CheckReceipt() {
  const { t } = useI18n();
  const [value, setValue] = useState(() => new URLSearchParams(location.search).get('receipt') ?? '');
  const [asked, setAsked] = useState<{ receipt: string; n: number } | null>(() => (RECEIPT_PATTERN.test(value) ? { receipt: value, n: 0 } : null));
  const [checked, setChecked] = useState(false);
  const problem = RECEIPT_PATTERN.test(value) ? null : value ? 'vote.field.receipt' : 'vote.field.required';
  const submit = (e: Event) => {
    e.preventDefault();
    setChecked(true);
    if (problem) return document.getElementById('receipt')?.focus();
    setAsked({ receipt: value, n: (asked?.n ?? 0) + 1 });
  };
  return (
    <Screen title={t('vote.check.title')} state="check">
      <p>{t('vote.check.lead')}</p>
      <form noValidate onSubmit={submit}>
        <Field
          id="receipt"
          name="receipt"
          label={t('vote.check.label')}
          error={checked && problem ? t(problem) : null}
          value={value}
          maxLength={22}
          autoComplete="off"
          spellcheck={false}
          mask={(s) => s.trim()}
          onValue={setValue}
        />
        <div class="actions">
          <button type="submit">{t('vote.check.submit')}</button>
        </div>
      </form>
      {asked && <ReceiptStatusLine receipt={asked.receipt} nonce={asked.n} />}
    </Screen>
  );
}
