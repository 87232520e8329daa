import { isMessageKey } from '@primaries/i18n';
import { useI18n } from './i18n';

/** One event of the public audit trail (`GET /api/v1/audit` on the results site, docs/admin.md). */
export interface AuditEvent {
  seq: number;
  at: string;
  actor: { role: string; id: string };
  action: string;
  subject: string | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** The chain's head: the last event's seq and hash. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** How many hex digits of a hash a table shows (enough to compare by eye with `audit verify`). */
export const HASH_PREFIX = 12;

/** A catalogue's words for a role or an action, else the code itself (a newer action than the page knows). */
function word(t: ReturnType<typeof useI18n>['t'], key: string, fallback: string): string {
  return isMessageKey(key) ? t(key) : fallback;
}

/**
 * Audit events as a table: number, time, who, action, subject, reason, the start of the hash.
 * It scrolls sideways inside its own focusable region on a phone; the page never does.
 */
export function AuditTable({ events, labelledBy }: { events: readonly AuditEvent[]; labelledBy: string }) {
  const { t, dateTime } = useI18n();
  return (
    <div class="scroll-x" tabIndex={0} role="region" aria-labelledby={labelledBy}>
      <table class="audit" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            <th scope="col" class="n">
              {t('common.audit.seq')}
            </th>
            <th scope="col">{t('common.audit.at')}</th>
            <th scope="col">{t('common.audit.actor')}</th>
            <th scope="col">{t('common.audit.action')}</th>
            <th scope="col">{t('common.audit.subject')}</th>
            <th scope="col">{t('common.audit.reason')}</th>
            <th scope="col">{t('common.audit.hash')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.seq} data-seq={e.seq} data-action={e.action}>
              <td class="n">{e.seq}</td>
              <td class="nowrap">{dateTime(e.at)}</td>
              <td data-role={e.actor.role}>{t('common.audit.actorId', { role: word(t, `common.role.${e.actor.role}`, e.actor.role), id: e.actor.id })}</td>
              <td>{word(t, `common.audit.action.${e.action}`, e.action)}</td>
              <td>
                <code>{e.subject ?? '–'}</code>
              </td>
              <td>{e.reason ?? '–'}</td>
              <td>
                <code class="hash" title={e.hash}>
                  {e.hash.slice(0, HASH_PREFIX)}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
