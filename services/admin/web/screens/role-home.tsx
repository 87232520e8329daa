import { useEffect, useState } from 'preact/hooks';
import type { MessageKey } from '@primaries/i18n';
import { type AuditEvent, AuditTable, NetworkError, Screen, useI18n } from '@primaries/ui';
import type { Role } from '../api';
import { useSession, useStaff } from '../session';
import { siteData } from '../site-data';

/** What each role may do on this site, in words (docs/admin.md's table). */
const MAY: Record<Exclude<Role, 'organizer'>, MessageKey[]> = {
  control: ['admin.may.control.1', 'admin.may.control.2', 'admin.may.audit'],
  precinct: ['admin.may.precinct.1', 'admin.may.precinct.2', 'admin.may.audit'],
  observer: ['admin.may.observer.1', 'admin.may.audit'],
};

/** The latest events of the trail (`GET /api/v1/audit/latest` on this site), newest first. */
function useLatestAudit(): AuditEvent[] | 'failed' | null {
  const { api } = useSession();
  const [events, setEvents] = useState<AuditEvent[] | 'failed' | null>(null);
  useEffect(() => {
    api
      .latestAudit(20)
      .then((r) => setEvents(r.ok ? [...r.data.events].reverse() : 'failed'))
      .catch((err: unknown) => err instanceof NetworkError && setEvents('failed'));
  }, [api]);
  return events;
}

/** The home of the control committee, a precinct commission and observers: who they are, what they may do, the latest trail. */
export function RoleHome() {
  const { t } = useI18n();
  const staff = useStaff();
  const role = staff.role === 'organizer' ? 'observer' : staff.role;
  const events = useLatestAudit();
  const portalAudit = siteData.resultsUrl ? new URL('audit', siteData.resultsUrl).toString() : null;
  return (
    <Screen title={t(`admin.home.${role}.title`)} state={`home-${role}`}>
      <p>{t(`admin.home.${role}.lead`)}</p>
      {staff.stationId !== null && <p data-station={staff.stationId}>{t('admin.home.station', { station: staff.stationId })}</p>}
      <h2>{t('admin.home.may')}</h2>
      <ul class="may">
        {MAY[role].map((k) => (
          <li key={k}>{t(k)}</li>
        ))}
      </ul>
      <h2 id="latest-audit">{t('admin.home.audit')}</h2>
      {events === null && <p role="status">{t('common.loading')}</p>}
      {events === 'failed' && <p>{t('common.error.body')}</p>}
      {Array.isArray(events) && (events.length === 0 ? <p data-empty="true">{t('admin.home.audit.none')}</p> : <AuditTable events={events} labelledBy="latest-audit" />)}
      {portalAudit && (
        <p>
          <a href={portalAudit} id="portal-audit">
            {t('admin.home.audit.portal')}
          </a>
        </p>
      )}
    </Screen>
  );
}
