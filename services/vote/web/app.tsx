import { I18nProvider, LangSwitch, WaitingRoom, useI18n } from '@primaries/ui';
import { useVoterFlow } from './flow';
import { BallotScreen } from './screens/ballot';
import { CheckReceipt } from './screens/check';
import { CodeEntry } from './screens/code';
import { Done } from './screens/done';
import { Review } from './screens/review';
import { SignIn } from './screens/sign-in';
import { States } from './screens/states';
import { siteData } from './site-data';

/** The voting screens, one at a time; the waiting room stands in for any of them while the site is busy. */
function Voting() {
  const flow = useVoterFlow();
  const { step } = flow;
  if (flow.waiting) return <WaitingRoom until={flow.waiting.until} onRetryNow={flow.waiting.retryNow} />;
  switch (step.s) {
    case 'signin':
      return <SignIn initial={flow.values ?? undefined} busy={flow.busy} error={step.error ?? null} onSubmit={(v) => void flow.requestCode(v)} />;
    case 'code':
      return <CodeEntry flow={flow} />;
    case 'ballot':
      return <BallotScreen flow={flow} />;
    case 'review':
    case 'sending':
      return <Review flow={flow} />;
    case 'done':
      return <Done flow={flow} />;
    default:
      return <States flow={flow} />;
  }
}

function Shell() {
  const { t } = useI18n();
  const checking = location.pathname === '/check';
  return (
    <>
      <a class="skip" href="#main">
        {t('common.skip')}
      </a>
      <header class="site-header">
        <div class="wrap">
          <a class="brand" href="/">
            {t('vote.brand')}
          </a>
          <LangSwitch />
        </div>
      </header>
      <nav class="wrap site-nav" aria-label={t('vote.brand')}>
        {checking ? <a href="/">{t('vote.nav.vote')}</a> : <a href="/check">{t('vote.nav.check')}</a>}
        {siteData.resultsUrl && <a href={siteData.resultsUrl}>{t('vote.nav.results')}</a>}
      </nav>
      <main id="main" class="wrap">
        {checking ? <CheckReceipt /> : <Voting />}
      </main>
      {siteData.hotline && (
        <footer class="site-footer">
          <div class="wrap">{t('vote.hotline', { phone: siteData.hotline })}</div>
        </footer>
      )}
    </>
  );
}

/** The whole page: language first, then the screen the member is on. */
export function App() {
  return (
    <I18nProvider title="vote.title">
      <Shell />
    </I18nProvider>
  );
}
