import path from 'node:path';
import type { SiteDefinition } from '@primaries/static-site';

/** The officials' console's sources (services/admin/web), built and served by this service. */
export const consoleSite: SiteDefinition = {
  name: 'admin',
  entry: path.join(__dirname, '..', 'web', 'main.tsx'),
  html: path.join(__dirname, '..', 'web', 'index.html'),
  pages: ['/', '/enrol', '/staff', '/setup', '/members', '/paper'],
};

/**
 * The public results portal as the console links to it: the officials' host without its
 * first label (`admin.primaries.kz` → `primaries.kz`, `admin.localhost:8080` →
 * `localhost:8080`), as the hosts are named by default (docs/admin.md).
 */
export function resultsUrlFor(adminPublicUrl: string): string {
  const url = new URL(adminPublicUrl);
  url.hostname = url.hostname.replace(/^admin\./, '');
  url.pathname = '/';
  url.hash = '';
  url.search = '';
  return url.toString();
}
