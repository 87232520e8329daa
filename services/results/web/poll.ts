import { useEffect, useState } from 'preact/hooks';
import { NetworkError, conditionalGet, useI18n } from '@primaries/ui';

/** A polled resource as a screen sees it. */
export interface Polled<T> {
  data: T | null;
  /** The last answer was 503 (results not published yet). */
  notReady: boolean;
  /** 404: the resource does not exist. */
  missing: boolean;
  /** The server could not be reached at the last try: `data` is from before. */
  stale: boolean;
}

/** Seconds to wait after a dropped connection before trying again. */
const OFFLINE_RETRY_SECONDS = 15;

/**
 * Keeps a results resource current: asks again when its Cache-Control max-age runs out (the
 * snapshot's next refresh), with If-None-Match so that an unchanged answer is a bodiless 304;
 * after Retry-After when the results are not ready. A little random delay keeps the crowd of
 * pages out of step. Polling pauses while the tab is hidden and resumes when it is shown.
 */
export function usePolled<T>(url: string | null): Polled<T> {
  const { lang } = useI18n();
  const [state, setState] = useState<Polled<T>>({ data: null, notReady: false, missing: false, stale: false });
  useEffect(() => {
    if (url === null) return undefined;
    let etag: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let due = 0;
    let inFlight = false;
    const controller = new AbortController();
    setState({ data: null, notReady: false, missing: false, stale: false });
    const schedule = (seconds: number) => {
      due = Date.now() + seconds * 1000 + Math.random() * 2000;
      if (!document.hidden) timer = setTimeout(tick, due - Date.now());
    };
    const tick = async () => {
      timer = null;
      if (inFlight) return;
      inFlight = true;
      try {
        const r = await conditionalGet<T>(url, { etag, lang, signal: controller.signal });
        if (r.kind === 'fresh') {
          etag = r.etag;
          setState({ data: r.data, notReady: false, missing: false, stale: false });
        } else if (r.kind === 'same') {
          setState((s) => (s.stale ? { ...s, stale: false } : s));
        } else {
          setState((s) => ({ ...s, notReady: r.status === 503, missing: r.status === 404, stale: r.status !== 503 && r.status !== 404 && s.data !== null }));
        }
        schedule(r.nextInSeconds);
      } catch (err) {
        if (!(err instanceof NetworkError)) return; // aborted: the screen went away
        setState((s) => ({ ...s, stale: true }));
        schedule(OFFLINE_RETRY_SECONDS);
      } finally {
        inFlight = false;
      }
    };
    const onVisibility = () => {
      if (document.hidden) {
        if (timer) clearTimeout(timer);
        timer = null;
      } else if (!timer && !inFlight && due) {
        timer = setTimeout(tick, Math.max(0, due - Date.now()));
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [url]);
  return state;
}
