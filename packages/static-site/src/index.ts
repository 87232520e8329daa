export { type Asset, type BuiltSite, type SiteDefinition, buildSite, fillWords, makeAsset, renderPage } from './build';
export { ASSET_CACHE_CONTROL, CONTENT_SECURITY_POLICY, PAGE_CACHE_CONTROL, type StaticSiteOptions, siteBuild, staticSitePlugin } from './plugin';
