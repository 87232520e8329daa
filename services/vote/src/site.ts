import path from 'node:path';
import type { SiteDefinition } from '@primaries/static-site';

/** The voter site's sources (services/vote/web), built and served by this service at `/`. */
export const voterSite: SiteDefinition = {
  name: 'vote',
  entry: path.join(__dirname, '..', 'web', 'main.tsx'),
  html: path.join(__dirname, '..', 'web', 'index.html'),
  pages: ['/', '/check'],
};
