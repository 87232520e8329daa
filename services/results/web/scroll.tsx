import type { ComponentChildren } from 'preact';

/**
 * A wide table's box: it scrolls sideways on a phone, so it takes the keyboard focus (arrow
 * keys scroll it) and is a region named by the table's heading for screen readers.
 */
export function ScrollBox({ labelledBy, tall, children }: { labelledBy: string; tall?: boolean; children: ComponentChildren }) {
  return (
    <div class={tall ? 'scroll-x scroll-y' : 'scroll-x'} tabIndex={0} role="region" aria-labelledby={labelledBy}>
      {children}
    </div>
  );
}
