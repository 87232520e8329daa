import { useEffect, useState } from 'preact/hooks';

/** Whole seconds left until `until` (epoch ms), ticking each second; 0 once past. */
export function useCountdown(until: number | null): number {
  const left = () => (until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / 1000)));
  const [seconds, setSeconds] = useState(left);
  useEffect(() => {
    setSeconds(left());
    if (until === null) return undefined;
    const timer = setInterval(() => {
      const s = left();
      setSeconds(s);
      if (s === 0) clearInterval(timer);
    }, 250);
    return () => clearInterval(timer);
  }, [until]);
  return seconds;
}

/** The settings a page was served with (the `<!--data-->` block of its template). */
export function readSiteData<T extends object>(): Partial<T> {
  const el = document.getElementById('site-data');
  try {
    return el?.textContent ? (JSON.parse(el.textContent) as Partial<T>) : {};
  } catch {
    return {};
  }
}
