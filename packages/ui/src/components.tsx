import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { type Column, toCsv } from './csv';
import { downloadText } from './download';
import { useCountdown } from './hooks';
import { useI18n } from './i18n';

/**
 * One screen of a page: its heading takes the focus when the screen appears, so keyboard
 * and screen-reader users land on what changed. `state` names the screen for tests.
 */
export function Screen({ title, state, children }: { title: string; state: string; children?: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [state]);
  return (
    <section class="screen" data-state={state} aria-labelledby={`h-${state}`}>
      <h1 id={`h-${state}`} tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {children}
    </section>
  );
}

/** A message box: `alert` interrupts a screen reader (errors), `status` waits its turn. */
export function Notice({ kind = 'info', children, live = 'status' }: { kind?: 'info' | 'error' | 'ok'; live?: 'status' | 'alert'; children: ComponentChildren }) {
  return (
    <div class={`notice ${kind}`} role={live}>
      {children}
    </div>
  );
}

/**
 * "We are busy — trying again in N s": the page waits Retry-After by itself and shows it,
 * with a button to try at once. A waiting room, not an error.
 */
export function WaitingRoom({ until, onRetryNow }: { until: number; onRetryNow?: () => void }) {
  const { t } = useI18n();
  const seconds = useCountdown(until);
  return (
    <Screen title={t('common.waiting.title')} state="waiting">
      <p role="status" aria-live="polite" aria-atomic="true" class="countdown">
        {t('common.waiting.body', { seconds })}
      </p>
      <div class="progress" aria-hidden="true">
        <span />
      </div>
      {onRetryNow && (
        <button type="button" class="secondary" onClick={onRetryNow}>
          {t('common.retryNow')}
        </button>
      )}
    </Screen>
  );
}

/** The input attributes a field passes on (the rest are the field's own business). */
interface InputProps {
  name?: string;
  /** `password` hides what is typed; default `text`. */
  type?: 'text' | 'password';
  value: string;
  inputMode?: 'numeric' | 'tel' | 'text';
  autoComplete?: string;
  maxLength?: number;
  required?: boolean;
  spellcheck?: boolean;
  autoFocus?: boolean;
  /** Reshapes what was typed (digits only, grouping); the field shows its result at once. */
  mask?: (typed: string) => string;
  onValue: (value: string) => void;
}

/** A labelled input with its hint and error tied to it (aria-describedby, aria-invalid). */
export function Field({ id, label, hint, error, ...input }: { id: string; label: string; hint?: string; error?: string | null } & InputProps) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' invalid' : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        id={id}
        // Preact types `type` as a union of input kinds; password and text take the same attributes here.
        // (tsc needs the assertion to pick one member of Preact's union; the lint rule cannot see that.)
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        type={(input.type ?? 'text') as 'text'}
        aria-invalid={error ? true : undefined}
        aria-describedby={described}
        name={input.name}
        value={input.value}
        inputMode={input.inputMode}
        autoComplete={input.autoComplete}
        maxLength={input.maxLength}
        required={input.required}
        spellcheck={input.spellcheck}
        autoFocus={input.autoFocus}
        onInput={(e) => {
          const el = e.currentTarget;
          const next = input.mask ? input.mask(el.value) : el.value;
          // Set it here too: when the mask gives back the same value, no render would undo the keystroke.
          if (el.value !== next) el.value = next;
          input.onValue(next);
        }}
      />
      {error && (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** CSV and JSON downloads of one table, from the data already in the page. */
export function Downloads<R>({ name, rows, columns, json }: { name: string; rows: readonly R[]; columns: readonly Column<R>[]; json?: unknown }) {
  const { t } = useI18n();
  return (
    <div class="downloads" role="group" aria-label={t('common.download')}>
      <span aria-hidden="true">{t('common.download')}:</span>
      <button type="button" class="link" data-download="csv" onClick={() => downloadText(`${name}.csv`, 'text/csv;charset=utf-8', toCsv(rows, columns))}>
        {t('common.download.csv')}
      </button>
      <button type="button" class="link" data-download="json" onClick={() => downloadText(`${name}.json`, 'application/json', JSON.stringify(json ?? rows, null, 2))}>
        {t('common.download.json')}
      </button>
    </div>
  );
}
