import { I18nProvider, LangSwitch, useI18n } from '@primaries/ui';
import { useState } from 'preact/hooks';
import { SignIn } from './screens/sign-in';
import { siteData } from './site-data';

function Shell() {
  const { t } = useI18n();
  const [, setStep] = useState(0);
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
          <nav class="site-nav" aria-label={t('vote.brand')}>
            <a href="/check">{t('vote.nav.check')}</a>
            <LangSwitch />
          </nav>
        </div>
      </header>
      <main id="main" class="wrap">
        <SignIn busy={false} onSubmit={() => setStep((n) => n + 1)} />
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
