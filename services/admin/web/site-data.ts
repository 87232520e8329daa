import { readSiteData } from '@primaries/ui';

/** What the admin service tells its page at start (services/admin/src/site.ts). */
export interface AdminSiteData {
  /** The public results portal (its audit trail page is `audit` under it). */
  resultsUrl: string;
}

export const siteData: Partial<AdminSiteData> = readSiteData<AdminSiteData>();
