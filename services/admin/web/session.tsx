import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import { NetworkError, useI18n } from '@primaries/ui';
import { type AdminApi, type StaffView, adminApi, resetCsrf } from './api';

/** Why the console shows sign-in: never signed in, signed out, or the session ended by itself. */
export type SignedOutReason = 'none' | 'signedOut' | 'expired' | 'everywhere';

export type SessionState = { s: 'loading' } | { s: 'offline' } | { s: 'out'; reason: SignedOutReason } | { s: 'in'; staff: StaffView };

export interface Session {
  state: SessionState;
  api: AdminApi;
  signedIn: (staff: StaffView) => void;
  signOut: (everywhere: boolean) => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** Who is signed in (`GET /api/v1/me`); any 401 on any call returns the console to sign-in. */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const { lang } = useI18n();
  const [state, setState] = useState<SessionState>({ s: 'loading' });
  const expired = useCallback(() => {
    resetCsrf();
    setState((s) => (s.s === 'in' ? { s: 'out', reason: 'expired' } : s));
  }, []);
  const api = useMemo(() => adminApi(lang, expired), [lang, expired]);
  useEffect(() => {
    let gone = false;
    api
      .me()
      .then((r) => !gone && setState(r.ok ? { s: 'in', staff: r.data.staff } : { s: 'out', reason: 'none' }))
      .catch((err: unknown) => !gone && setState(err instanceof NetworkError ? { s: 'offline' } : { s: 'out', reason: 'none' }));
    return () => {
      gone = true;
    };
    // Once per page load: a language switch keeps the session as it is.
  }, []);
  const value = useMemo<Session>(
    () => ({
      state,
      api,
      signedIn(staff) {
        resetCsrf();
        setState({ s: 'in', staff });
      },
      async signOut(everywhere) {
        try {
          await (everywhere ? api.signOutEverywhere() : api.signOut());
        } catch {
          // Offline: the cookie stays until the session times out; the page forgets it now.
        }
        resetCsrf();
        setState({ s: 'out', reason: everywhere ? 'everywhere' : 'signedOut' });
      },
    }),
    [state, api],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in account (only under a signed-in screen). */
export function useStaff(): StaffView {
  const { state } = useSession();
  if (state.s !== 'in') throw new Error('useStaff without a session');
  return state.staff;
}
