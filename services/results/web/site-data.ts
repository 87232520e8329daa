import { readSiteData } from '@primaries/ui';

/** What the results service tells its page at start (services/results/src/site.ts). */
export interface ResultsSiteData {
  /** Where members vote (the vote host). */
  voteUrl: string;
}

export const siteData: Partial<ResultsSiteData> = readSiteData<ResultsSiteData>();
