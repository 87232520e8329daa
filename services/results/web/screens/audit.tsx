import { useEffect, useState } from 'preact/hooks';
import { type AuditEvent, type AuditHead, AuditTable, HASH_PREFIX, NetworkError, Notice, Screen, apiRequest, useI18n } from '@primaries/ui';

/** Events on one page of the trail. */
const AUDIT_PAGE_SIZE = 50;
/** How often an unreadable trail is asked again (it is served from the results cache). */
const RETRY_SECONDS = 15;

interface AuditAnswer {
  events: AuditEvent[];
  head: AuditHead;
}

/** The events of page `page` (1 = the newest) of a trail whose head is `head`: after which seq, how many. */
function pageWindow(headSeq: number, page: number, size = AUDIT_PAGE_SIZE): { after: number; limit: number } {
  const to = Math.max(0, headSeq - (page - 1) * size);
  const after = Math.max(0, to - size);
  return { after, limit: Math.max(1, to - after) };
}

type State = { s: 'loading' } | { s: 'unavailable' } | { s: 'ready'; head: AuditHead; events: AuditEvent[] };

/** Reads one page of the published trail: the head first (from the oldest page), then the page asked for. */
function useAuditPage(page: number): State {
  const { lang } = useI18n();
  const [state, setState] = useState<State>({ s: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const get = (after: number, limit: number) => apiRequest<AuditAnswer>(`/api/v1/audit?after=${after}&limit=${limit}`, { lang, signal: controller.signal });
    const load = async () => {
      try {
        let r = await get(0, AUDIT_PAGE_SIZE);
        if (r.ok && (r.data.head.seq > AUDIT_PAGE_SIZE || page > 1)) {
          const w = pageWindow(r.data.head.seq, page);
          r = await get(w.after, w.limit);
        }
        if (!r.ok) throw new NetworkError(String(r.status));
        setState({ s: 'ready', head: r.data.head, events: [...r.data.events].reverse() });
      } catch (err) {
        if ((err as Error).name === 'AbortError') return;
        setState({ s: 'unavailable' });
        timer = setTimeout(() => void load(), RETRY_SECONDS * 1000);
      }
    };
    void load();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [page, lang]);
  return state;
}

/** The public audit trail (issue #12): newest first, in pages, with how to verify the chain. */
export function AuditScreen() {
  const { t, number } = useI18n();
  const [page, setPage] = useState(1);
  const state = useAuditPage(page);
  const pages = state.s === 'ready' ? Math.max(1, Math.ceil(state.head.seq / AUDIT_PAGE_SIZE)) : 1;
  const command = `pnpm primaries audit verify --url ${location.origin}/`;
  return (
    <Screen title={t('portal.audit.title')} state="audit">
      <p>{t('portal.audit.lead')}</p>
      {state.s === 'loading' && (
        <p role="status" class="loading">
          {t('portal.audit.loading')}
        </p>
      )}
      {state.s === 'unavailable' && (
        <Notice kind="error" live="alert">
          {t('portal.audit.unavailable')}
        </Notice>
      )}
      {state.s === 'ready' && state.head.seq === 0 && <p data-empty="true">{t('portal.audit.none')}</p>}
      {state.s === 'ready' && state.head.seq > 0 && (
        <>
          <p class="audit-head" data-head={state.head.seq}>
            {t('portal.audit.head', { count: state.head.seq, hash: state.head.hash.slice(0, HASH_PREFIX) })}
          </p>
          <h2 id="audit-range">{t('portal.audit.range', { from: number(state.events[state.events.length - 1]?.seq ?? 0), to: number(state.events[0]?.seq ?? 0) })}</h2>
          <AuditTable events={state.events} labelledBy="audit-range" />
          {pages > 1 && (
            <nav class="actions" aria-label={t('portal.audit.pages')}>
              <button type="button" class="secondary" data-page="newer" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                {t('portal.audit.newer')}
              </button>
              <button type="button" class="secondary" data-page="older" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>
                {t('portal.audit.older')}
              </button>
            </nav>
          )}
        </>
      )}
      <h2>{t('portal.audit.verify.title')}</h2>
      <p>{t('portal.audit.verify.body')}</p>
      <pre class="command">
        <code>{command}</code>
      </pre>
      <p>{t('portal.audit.verify.after')}</p>
    </Screen>
  );
}
