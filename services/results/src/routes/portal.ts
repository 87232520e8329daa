import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sendResource } from '../conditional';
import { type Resource, contentTag, renderResource } from '../render';

const PUBLIC_DIR = path.join(__dirname, '..', 'public');
const FILES: Array<{ url: string; file: string; type: string; maxAge: number }> = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8', maxAge: 60 },
  { url: '/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8', maxAge: 300 },
  { url: '/style.css', file: 'style.css', type: 'text/css; charset=utf-8', maxAge: 300 },
];

/** The results portal: three static files, read and compressed once at start, served with ETags. */
export default async function portalRoutes(app: FastifyInstance) {
  const started = Date.now();
  const resources = new Map<string, Resource>();
  for (const f of FILES) {
    const raw = await readFile(path.join(PUBLIC_DIR, f.file));
    resources.set(f.url, await renderResource(raw, f.type, { tag: contentTag(raw), lastModifiedMs: started, expiresAtMs: null, maxAge: f.maxAge }));
  }
  for (const f of FILES) {
    const resource = resources.get(f.url)!;
    app.get(f.url, { schema: { hide: true } }, async (request, reply) => sendResource(request, reply, resource));
  }
}
