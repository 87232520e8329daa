import http from 'node:http';

/** GETs a URL with an optional Host header (fetch may not override Host); resolves the status, or 0 if unreachable. */
export function httpStatus(url: string, host?: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { headers: host ? { host } : {}, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export interface HealthTarget {
  label: string;
  url: string;
  host?: string;
}

/**
 * Polls every target until it answers 200, or until `timeoutMs` passes or `abort` fires.
 * Resolves the labels still not healthy (empty when all are up).
 */
export async function waitHealthy(targets: HealthTarget[], { timeoutMs, signal }: { timeoutMs: number; signal: AbortSignal }): Promise<string[]> {
  const pending = new Set(targets);
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline && !signal.aborted) {
    await Promise.all([...pending].map(async (t) => {
      if ((await httpStatus(t.url, t.host)) === 200) pending.delete(t);
    }));
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
  return [...pending].map((t) => t.label);
}
