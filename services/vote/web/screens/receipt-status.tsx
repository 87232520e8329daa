import type { MessageKey } from '@primaries/i18n';
import { NetworkError, useI18n } from '@primaries/ui';
import { useEffect, useState } from 'preact/hooks';
import { type ReceiptStatus, voteApi } from '../api';
import { CheckYourself } from './check-yourself';

const WORDS: Record<ReceiptStatus | 'unknown', MessageKey> = {
  queued: 'vote.check.status.queued',
  recorded: 'vote.check.status.recorded',
  counted: 'vote.check.status.counted',
  rejected: 'vote.check.status.rejected',
  unknown: 'vote.check.status.unknown',
};

/** A queued ballot is asked about again this often, this many times (it is recorded within seconds). */
const REASK_MS = 3000;
const REASK_TIMES = 20;

/** Asks where a receipt's ballot is, now, each time `nonce` changes, and again while it is queued; and says it. */
export function ReceiptStatusLine({ receipt, nonce = 0 }: { receipt: string; nonce?: number }) {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<ReceiptStatus | 'unknown' | 'offline' | null>(null);
  const [snapshot, setSnapshot] = useState<number | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setStatus(null);
    const ask = (left: number) =>
      voteApi(lang)
        .receipt(receipt)
        .then(
          (r) => {
            if (!live) return;
            setStatus(r.ok ? r.data.status : r.status === 404 ? 'unknown' : 'offline');
            setSnapshot(r.ok ? (r.data.snapshot ?? null) : null);
            if (r.ok && r.data.status === 'queued' && left > 0) timer = setTimeout(() => void ask(left - 1), REASK_MS);
          },
          (err: unknown) => live && setStatus(err instanceof NetworkError ? 'offline' : 'unknown'),
        );
    void ask(REASK_TIMES);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [receipt, nonce, lang]);
  return (
    <>
      <p class={`status ${status ?? 'loading'}`} role="status" data-status={status ?? 'loading'}>
        {status === null ? t('common.loading') : status === 'offline' ? t('common.offline.title') : t(WORDS[status])}
        {status === 'counted' && snapshot !== null ? ` ${t('verify.receipt.counted', { snapshot })}` : null}
      </p>
      {status === 'counted' ? <CheckYourself receipt={receipt} /> : null}
    </>
  );
}
