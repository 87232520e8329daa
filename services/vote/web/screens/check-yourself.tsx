import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '@primaries/ui';
import { siteData } from '../site-data';

/** The receipt's SHA-256, as the public archive lists it (computed in the browser; the receipt never leaves it for this). */
async function receiptHash(receipt: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(receipt));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** How a voter checks a counted receipt independently (issue #16, docs/verification.md). */
export function CheckYourself({ receipt }: { receipt: string }) {
  const { t } = useI18n();
  const [hash, setHash] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    receiptHash(receipt).then((h) => live && setHash(h), () => live && setHash(null));
    return () => {
      live = false;
    };
  }, [receipt]);
  return (
    <details class="check-yourself">
      <summary>{t('verify.receipt.how.title')}</summary>
      <p>{t('verify.receipt.how.body', { resultsUrl: siteData.resultsUrl ?? '' })}</p>
      {hash ? (
        <p>
          {t('verify.receipt.hash')}: <code class="receipt-hash">{hash}</code>
        </p>
      ) : null}
    </details>
  );
}
