import type { MessageKey } from '@primaries/i18n';
import { NetworkError, useI18n } from '@primaries/ui';
import { useEffect, useState } from 'preact/hooks';
import { type ReceiptStatus, voteApi } from '../api';

const WORDS: Record<ReceiptStatus | 'unknown', MessageKey> = {
  queued: 'vote.check.status.queued',
  recorded: 'vote.check.status.recorded',
  counted: 'vote.check.status.counted',
  rejected: 'vote.check.status.rejected',
  unknown: 'vote.check.status.unknown',
};

/** Asks where a receipt's ballot is, now and each time `nonce` changes, and says it. */
export function ReceiptStatusLine({ receipt, nonce = 0 }: { receipt: string; nonce?: number }) {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<ReceiptStatus | 'unknown' | 'offline' | null>(null);
  useEffect(() => {
    let live = true;
    setStatus(null);
    voteApi(lang)
      .receipt(receipt)
      .then(
        (r) => live && setStatus(r.ok ? r.data.status : r.status === 404 ? 'unknown' : 'offline'),
        (err: unknown) => live && setStatus(err instanceof NetworkError ? 'offline' : 'unknown'),
      );
    return () => {
      live = false;
    };
  }, [receipt, nonce, lang]);
  return (
    <p class={`status ${status ?? 'loading'}`} role="status" data-status={status ?? 'loading'}>
      {status === null ? t('common.loading') : status === 'offline' ? t('common.offline.title') : t(WORDS[status])}
    </p>
  );
}
