import { readSiteData } from '@primaries/ui';

/** What the vote service tells its page at start (services/vote/src/site.ts). */
export interface VoteSiteData {
  /** The hotline a member calls about a refusal or a sign-in that was not theirs. */
  hotline: string;
  /** Where results are published (the results host). */
  resultsUrl: string;
}

export const siteData: Partial<VoteSiteData> = readSiteData<VoteSiteData>();
