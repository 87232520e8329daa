import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The operational endpoints every service serves (observability.ts, docs.ts): not for the
 * public. The gateway (the one public surface) forwards them, and serves its own, only to a
 * request bearing OPS_TOKEN (issue #8); /health stays open for load balancers.
 */
export function isOpsPath(url: string): boolean {
  let path = url.split('?', 1)[0] ?? '';
  try {
    path = decodeURIComponent(path);
  } catch {
    // Undecodable: refused as a bad path before it could reach anything.
    return false;
  }
  // The forms a router might still take for the same route: case, repeated or trailing
  // slashes, `.` segments, a `;` parameter.
  path = path
    .toLowerCase()
    .split(';', 1)[0]!
    .replace(/\/\.(?=\/|$)/g, '')
    .replace(/\/{2,}/g, '/')
    .replace(/\/+$/, '');
  return path === '/metrics' || path === '/ready' || path === '/docs' || path.startsWith('/docs/') || path.startsWith('/metrics/') || path.startsWith('/ready/');
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `authorization` is `Bearer <token>` (compared in constant time). */
export function bearerMatches(authorization: string | string[] | undefined, token: string): boolean {
  const header = Array.isArray(authorization) ? authorization[0] : authorization;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return !!m && timingSafeEqual(digest(m[1]!), digest(token));
}
