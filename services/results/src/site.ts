import path from 'node:path';
import type { SiteDefinition } from '@primaries/static-site';

/** The results portal's sources (services/results/web), built and served by this service at `/`. */
export const resultsSite: SiteDefinition = {
  name: 'results',
  entry: path.join(__dirname, '..', 'web', 'main.tsx'),
  html: path.join(__dirname, '..', 'web', 'index.html'),
  pages: ['/', '/contest', '/turnout', '/removed', '/audit'],
};
