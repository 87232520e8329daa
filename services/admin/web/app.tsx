import { I18nProvider, LangSwitch, Notice, Screen, useI18n } from '@primaries/ui';
import { DashboardScreen } from './screens/dashboard';
import { EnrolScreen } from './screens/enrol';
import { PaperCheckinScreen } from './screens/paper-checkin';
import { RoleHome } from './screens/role-home';
import { SessionBar } from './screens/session-bar';
import { SignInScreen } from './screens/sign-in';
import { StaffScreen } from './screens/staff';
import { SessionProvider, useSession } from './session';

export const PATHS = { home: '/', staff: '/staff', enrol: '/enrol', queues: '/queues', paper: '/paper' } as const;

/** The organizer's sections: the dashboard, staff, and the queue dashboard (Bull Board, its own page). */
function OrganizerNav() {
  const { t } = useI18n();
  const here = location.pathname;
  const link = (href: string, label: string) => (
    <a href={href} aria-current={here === href ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <nav class="wrap site-nav" aria-label={t('admin.nav.label')}>
      {link(PATHS.home, t('admin.nav.dashboard'))}
      {link(PATHS.staff, t('admin.nav.staff'))}
      {link(PATHS.queues, t('admin.nav.queues'))}
    </nav>
  );
}

/** The screen of the address, for whoever is signed in; sign-in when nobody is. */
function Page() {
  const { t } = useI18n();
  const { state } = useSession();
  if (state.s === 'loading') {
    return (
      <p role="status" class="loading">
        {t('common.loading')}
      </p>
    );
  }
  if (state.s === 'offline') {
    return (
      <Screen title={t('common.offline.title')} state="offline">
        <p>{t('common.offline.body')}</p>
      </Screen>
    );
  }
  if (state.s === 'out') return <SignInScreen reason={state.reason} />;
  const organizer = state.staff.role === 'organizer';
  const path = location.pathname;
  return (
    <>
      {organizer && <OrganizerNav />}
      <SessionBar />
      {organizer && path === PATHS.staff ? (
        <StaffScreen />
      ) : organizer ? (
        <DashboardScreen />
      ) : path === PATHS.staff ? (
        <Notice kind="error" live="alert">
          {t('admin.forbidden')}
        </Notice>
      ) : state.staff.role === 'precinct' && path === PATHS.paper ? (
        <PaperCheckinScreen />
      ) : (
        <>
          {state.staff.role === 'precinct' && (
            <p>
              <a href={PATHS.paper} id="paper-checkin-link">
                {t('paper.checkin.title')}
              </a>
            </p>
          )}
          <RoleHome />
        </>
      )}
    </>
  );
}

function Shell() {
  const { t } = useI18n();
  const enrolling = location.pathname === PATHS.enrol;
  return (
    <>
      <a class="skip" href="#main">
        {t('common.skip')}
      </a>
      <header class="site-header">
        <div class="wrap">
          <a class="brand" href="/">
            {t('admin.brand')}
          </a>
          <LangSwitch />
        </div>
      </header>
      <main id="main" class="wrap">
        {enrolling ? (
          <EnrolScreen />
        ) : (
          <SessionProvider>
            <Page />
          </SessionProvider>
        )}
      </main>
    </>
  );
}

/** The whole console: the language first, then the session, then the screen of the address. */
export function App() {
  return (
    <I18nProvider title="admin.title">
      <Shell />
    </I18nProvider>
  );
}
