import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { archiveFileSchema, publicKeysSchema, resultsKeys, signedHeaderSchema, snapshotChainSchema } from '@primaries/results-model';
import { sendResource } from '../conditional';
import { ResultsErrorCodes } from '../errors';
import { type RenderedSnapshot, type Resource, renderResource } from '../render';

const chainQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
const fileParams = z.object({ name: z.string().regex(/^[a-z0-9-]{1,80}\.csv$/) });
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const archiveAnswer = z.object({ electionId: z.number().int(), snapshot: z.number().int().nullable(), files: z.array(archiveFileSchema.extend({ url: z.string() })) });

/**
 * What an independent verifier downloads (issue #16, docs/verification.md): the election's
 * public signing keys, the chain of signed snapshot headers, the current snapshot's body as
 * signed, and after the close the public archive's files with their SHA-256.
 */
export default async function verificationRoutes(appBase: FastifyInstance) {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const keys = resultsKeys(app.redisPrefix);
  const current = (): RenderedSnapshot | null => app.snapshots.current;
  const notReady = (reply: FastifyReply) =>
    reply.code(503).header('retry-after', '15').header('cache-control', 'no-store').send({ error: { code: ResultsErrorCodes.NOT_READY, message: 'Results have not been published yet' } });
  const bodies = new WeakMap<RenderedSnapshot, Promise<Resource>>();

  app.get('/keys', { schema: { summary: "The election's public signing keys (Ed25519)", tags: ['verification'], response: { 200: publicKeysSchema } } }, async (_request, reply) => {
    const stored = await app.redis.hvals(keys.keys);
    reply.header('cache-control', 'public, max-age=60');
    return { keys: stored.map((k) => JSON.parse(k) as { id: string; algorithm: 'Ed25519'; publicKey: string; spki: string }).sort((a, b) => a.id.localeCompare(b.id)) };
  });

  app.get('/snapshots', { schema: { summary: "The chain of signed snapshot headers of the current election, after a seq", tags: ['verification'], querystring: chainQuery, response: { 200: snapshotChainSchema } } }, async (request, reply) => {
    const s = current()?.snapshot;
    const head = s?.signed?.seq ?? 0;
    const last = Math.min(head, request.query.after + request.query.limit);
    const seqs = Array.from({ length: Math.max(0, last - request.query.after) }, (_, i) => String(request.query.after + 1 + i));
    const raw = s && seqs.length ? await app.redis.hmget(keys.chain(s.electionId), ...seqs) : [];
    reply.header('cache-control', 'public, max-age=5');
    return { electionId: s?.electionId ?? null, head, headers: raw.flatMap((r) => (r ? [signedHeaderSchema.parse(JSON.parse(r))] : [])) };
  });

  app.get('/snapshots/current', { config: { statuses: [200, 304] }, schema: { summary: 'The current snapshot exactly as signed (its header is `signed`)', tags: ['verification'] } }, async (request, reply) => {
    const s = current();
    if (!s?.raw) return notReady(reply);
    let body = bodies.get(s);
    if (!body) {
      body = renderResource(Buffer.from(s.raw), 'application/json; charset=utf-8', { tag: `v${s.version}-body`, lastModifiedMs: Date.parse(s.snapshot.generatedAt), expiresAtMs: Date.parse(s.snapshot.nextRefreshAt), brotliQuality: 5 });
      bodies.set(s, body);
    }
    return sendResource(request, reply, await body);
  });

  app.get('/archive', { schema: { summary: 'After the close: the public files (anonymous ballots, counted receipts, paper protocols) and their SHA-256', tags: ['verification'], response: { 200: archiveAnswer, 404: errorBody, 503: errorBody } } }, async (_request, reply) => {
    const s = current()?.snapshot;
    if (!s) return notReady(reply);
    const manifest = await app.redis.get(keys.archiveManifest(s.electionId));
    if (!manifest) return reply.code(404).header('cache-control', 'public, max-age=15').send({ error: { code: ResultsErrorCodes.ARCHIVE_NOT_READY, message: 'The archive is published once voting has closed and every ballot is released' } });
    const files = archiveFileSchema.array().parse(JSON.parse(manifest));
    reply.header('cache-control', 'public, max-age=15');
    return { electionId: s.electionId, snapshot: s.signed?.seq ?? null, files: files.map((f) => ({ ...f, url: `/api/v1/archive/files/${f.name}` })) };
  });

  app.get('/archive/files/:name', { schema: { summary: 'One file of the public archive (CSV)', tags: ['verification'], params: fileParams } }, async (request, reply) => {
    const s = current()?.snapshot;
    const body = s ? await app.redis.getBuffer(keys.archiveFile(s.electionId, request.params.name)) : null;
    if (!body) return reply.code(404).header('cache-control', 'public, max-age=15').send({ error: { code: ResultsErrorCodes.ARCHIVE_FILE_NOT_FOUND, message: `No archive file ${request.params.name}` } });
    return reply.header('content-type', 'text/csv; charset=utf-8').header('cache-control', 'public, max-age=60').send(body);
  });
}
