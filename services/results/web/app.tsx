import { I18nProvider, LangSwitch, Notice, Screen, useI18n } from '@primaries/ui';
import { usePolled } from './poll';
import { AuditScreen } from './screens/audit';
import { ContestScreen } from './screens/contest';
import { Overview } from './screens/overview';
import { RemovedScreen } from './screens/removed';
import { TurnoutScreen } from './screens/turnout';
import { siteData } from './site-data';
import { StatusBar } from './status';
import type { Summary } from './types';

const PATHS = { overview: '/', turnout: '/turnout', removed: '/removed', audit: '/audit' } as const;

function Nav() {
  const { t } = useI18n();
  const here = location.pathname;
  const link = (href: string, label: string) => (
    <a href={href} aria-current={here === href ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <nav class="wrap site-nav" aria-label={t('portal.nav.label')}>
      {link(PATHS.overview, t('portal.nav.overview'))}
      {link(PATHS.turnout, t('portal.nav.turnout'))}
      {link(PATHS.removed, t('portal.nav.removed'))}
      {link(PATHS.audit, t('portal.nav.audit'))}
      {siteData.voteUrl && <a href={siteData.voteUrl}>{t('portal.nav.vote')}</a>}
    </nav>
  );
}

/** The page for the address: every screen reads the same polled summary. */
function Page() {
  const { t } = useI18n();
  const summary = usePolled<Summary>('/api/v1/results');
  const s = summary.data;
  if (!s) {
    return summary.notReady ? (
      <Screen title={t('portal.notReady.title')} state="not-ready">
        <p>{t('portal.notReady.body')}</p>
      </Screen>
    ) : (
      <p role="status" class="loading">
        {summary.stale ? t('portal.stale') : t('portal.loading')}
      </p>
    );
  }
  const path = location.pathname;
  return (
    <>
      <StatusBar s={s} />
      {summary.stale && (
        <Notice kind="error" live="alert">
          {t('portal.stale')}
        </Notice>
      )}
      {path === '/contest' ? <ContestScreen summary={s} /> : path === PATHS.turnout ? <TurnoutScreen summary={s} /> : path === PATHS.removed ? <RemovedScreen summary={s} /> : <Overview summary={s} />}
    </>
  );
}

function Shell() {
  const { t } = useI18n();
  return (
    <>
      <a class="skip" href="#main">
        {t('common.skip')}
      </a>
      <header class="site-header">
        <div class="wrap">
          <a class="brand" href="/">
            {t('portal.brand')}
          </a>
          <LangSwitch />
        </div>
      </header>
      <Nav />
      <main id="main" class="wrap">
        {/* The trail does not wait for the results: it is published before the first snapshot. */}
        {location.pathname === PATHS.audit ? <AuditScreen /> : <Page />}
      </main>
    </>
  );
}

/** The whole portal: the language first, then the screen of the address. */
export function App() {
  return (
    <I18nProvider title="portal.title">
      <Shell />
    </I18nProvider>
  );
}
