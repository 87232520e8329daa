import { Notice, Screen, useI18n } from '@primaries/ui';
import { useState } from 'preact/hooks';
import type { VoterFlow } from '../flow';
import { ReceiptStatusLine } from './receipt-status';

/** One receipt per contest ballot, each with where it stands now and a link to check it later. */
export function Done({ flow }: { flow: VoterFlow }) {
  const { t } = useI18n();
  const [nonce, setNonce] = useState(0);
  if (flow.step.s !== 'done') return null;
  const { receipts, lost } = flow.step;
  const names = new Map(flow.ballot?.contests.map((c) => [c.id, c.name]) ?? []);
  return (
    <Screen title={t('vote.done.title')} state="done">
      {lost ? <Notice kind="info">{t('vote.done.lost')}</Notice> : <p>{t('vote.done.lead')}</p>}
      <ul class="receipts">
        {receipts.map((r) => (
          <li key={r.contestId} data-contest={r.contestId}>
            <h2>{names.get(r.contestId) ?? r.contestId}</h2>
            <p>
              {t('vote.done.receipt')}: <code class="receipt">{r.receipt}</code>
            </p>
            <ReceiptStatusLine receipt={r.receipt} nonce={nonce} />
            <a href={`/check?receipt=${encodeURIComponent(r.receipt)}`}>{t('vote.done.check')}</a>
          </li>
        ))}
      </ul>
      <div class="actions">
        {receipts.length > 0 && (
          <button type="button" class="secondary" onClick={() => setNonce((n) => n + 1)}>
            {t('vote.check.submit')}
          </button>
        )}
        <button type="button" class="secondary" onClick={() => window.print()}>
          {t('vote.done.print')}
        </button>
      </div>
    </Screen>
  );
}
