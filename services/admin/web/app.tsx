import { I18nProvider, LangSwitch, Notice, Screen, useI18n } from '@primaries/ui';
import { DashboardScreen } from './screens/dashboard';
import { EnrolScreen } from './screens/enrol';
import { MemberStatusScreen } from './screens/member-status';
import { PaperCheckinScreen } from './screens/paper-checkin';
import { RoleHome } from './screens/role-home';
import { SessionBar } from './screens/session-bar';
import { SetupScreen } from './screens/setup';
import { SignInScreen } from './screens/sign-in';
import { StaffScreen } from './screens/staff';
import { SessionProvider, useSession } from './session';

const PATHS = { home: '/', staff: '/staff', enrol: '/enrol', queues: '/queues', setup: '/setup', members: '/members', paper: '/paper' } as const;

/** The organizer's sections: the dashboard, staff, the election's setup, members' status, and the queue dashboard (Bull Board, its own page); the control committee's: home and members' status. */
function OrganizerNav({ control = false }: { control?: boolean }) {
  const { t } = useI18n();
  const here = location.pathname;
  const link = (href: string, label: string) => (
    <a href={href} aria-current={here === href ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <nav class="wrap site-nav" aria-label={t('admin.nav.label')}>
      {link(PATHS.home, t(control ? 'admin.nav.home' : 'admin.nav.dashboard'))}
      {!control && link(PATHS.staff, t('admin.nav.staff'))}
      {!control && link(PATHS.setup, t('admin.nav.setup'))}
      {link(PATHS.members, t('admin.nav.members'))}
      {!control && link(PATHS.queues, t('admin.nav.queues'))}
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
  const control = state.staff.role === 'control';
  const path = location.pathname;
  return (
    <>
      {(organizer || control) && <OrganizerNav control={control} />}
      <SessionBar />
      {organizer && path === PATHS.staff ? (
        <StaffScreen />
      ) : organizer && path === PATHS.setup ? (
        <SetupScreen />
      ) : (organizer || control) && path === PATHS.members ? (
        <MemberStatusScreen />
      ) : organizer ? (
        <DashboardScreen />
      ) : path === PATHS.staff || path === PATHS.setup || path === PATHS.members ? (
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
