import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { build } from 'esbuild';
import { CATALOGUES, LANGUAGES, type Lang, isMessageKey } from '@primaries/i18n';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** What a site is made of. Each service that serves pages exports one (see docs/frontend.md). */
export interface SiteDefinition {
  /** Short name: 'vote', 'results', 'admin'; the bundle is called after it. */
  name: string;
  /** The page's script (TypeScript or TSX, Preact); the CSS it imports is bundled beside it. */
  entry: string;
  /**
   * The HTML template. `<!--assets-->` becomes the style and script tags, `<!--data-->` the
   * site's settings as JSON, `{{t:key}}` the catalogue's words in the default language and
   * `{{t*:key}}` the words in every language (for `<noscript>`).
   */
  html: string;
  /** Paths answered with the page: screens with their own address. Default `['/']`. */
  pages?: readonly string[];
}

/** One file as served: its bytes in each encoding and a strong validator. */
export interface Asset {
  url: string;
  type: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** Quoted content hash; the encoding is appended per variant. */
  tag: string;
}

/** A built site: content-hashed assets (cached for a year) and the page template that names them. */
export interface BuiltSite {
  name: string;
  pages: readonly string[];
  /** The HTML with assets and words filled in; `<!--data-->` is left for each app. */
  template: string;
  assets: ReadonlyMap<string, Asset>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** Compresses once, at build: gzip 9 and brotli 11 (the few files are small). */
export async function makeAsset(url: string, identity: Buffer, type = TYPES[path.extname(url)] ?? 'application/octet-stream'): Promise<Asset> {
  const [gz, br] = await Promise.all([
    gzipAsync(identity, { level: 9 }),
    brotliAsync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
  ]);
  const tag = createHash('sha256').update(identity).digest('base64url').slice(0, 16);
  return { url, type, identity, gzip: gz, br, tag };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Fills `{{t:key}}` (default language) and `{{t*:key}}` (every language) from the catalogues. */
export function fillWords(html: string, lang: Lang = LANGUAGES[0]): string {
  return html.replace(/\{\{t(\*?):([\w.]+)\}\}/g, (_m, all: string, key: string) => {
    if (!isMessageKey(key)) throw new Error(`unknown message key in a page template: ${key}`);
    if (!all) return escapeHtml(CATALOGUES[lang][key]);
    return LANGUAGES.map((l) => `<span lang="${l}">${escapeHtml(CATALOGUES[l][key])}</span>`).join(' ');
  });
}

/**
 * Bundles, minifies and content-hashes a site with esbuild (Preact JSX, modern browsers),
 * compresses every file, and fills the page template. Deterministic: every instance of a
 * service builds the same names, so a page from one instance finds its assets on another.
 */
export async function buildSite(def: SiteDefinition): Promise<BuiltSite> {
  const result = await build({
    entryPoints: { [def.name]: def.entry },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    // Browsers of 2021 on: phones a few years old still run them.
    target: ['chrome90', 'firefox90', 'safari15', 'edge90'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    outdir: '/assets',
    write: false,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const assets = new Map<string, Asset>();
  for (const f of result.outputFiles) {
    const url = `/assets/${path.basename(f.path)}`;
    assets.set(url, await makeAsset(url, Buffer.from(f.contents)));
  }
  const urls = [...assets.keys()];
  const tags = [
    ...urls.filter((u) => u.endsWith('.css')).map((u) => `<link rel="stylesheet" href="${u}">`),
    ...urls.filter((u) => u.endsWith('.js')).map((u) => `<script type="module" src="${u}"></script>`),
  ].join('\n  ');
  const html = await readFile(def.html, 'utf8');
  if (!html.includes('<!--assets-->')) throw new Error(`${def.html} has no <!--assets--> marker`);
  return { name: def.name, pages: def.pages ?? ['/'], template: fillWords(html.replace('<!--assets-->', tags)), assets };
}

/** The page for one app: the template with the app's settings as a JSON data block. */
export async function renderPage(site: BuiltSite, data: Readonly<Record<string, unknown>>): Promise<Asset> {
  // A JSON data block is not run as script (the CSP allows none inline); `<` is escaped so it cannot end the block.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const html = site.template.replace('<!--data-->', `<script type="application/json" id="site-data">${json}</script>`);
  return makeAsset('/', Buffer.from(html), TYPES['.html']);
}
