/**
 * A report's picture for the docs: renders the HTML in Debian's chromium (playwright-core,
 * as the browser tests do) and saves a PNG of its top part.
 *   pnpm exec tsx loadtest/kit/screenshot.ts <report.html> <out.png> [height]
 */
import path from 'node:path';
import { chromium } from 'playwright-core';

async function main() {
  const [html, png, height = '2300'] = process.argv.slice(2);
  if (!html || !png) throw new Error('usage: screenshot.ts <report.html> <out.png> [height]');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: Number(height) }, deviceScaleFactor: 1 });
    const outside: string[] = [];
    page.on('request', (r) => !r.url().startsWith('file:') && outside.push(r.url()));
    await page.goto(`file://${path.resolve(html)}`);
    await page.waitForSelector('canvas');
    await page.screenshot({ path: png, clip: { x: 0, y: 0, width: 1200, height: Number(height) } });
    if (outside.length) throw new Error(`the report asked other hosts: ${outside.join(', ')}`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
