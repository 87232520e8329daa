import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { coercionClusterSignIns, coercionClusters, currentElectionForAuth } from '@primaries/db';
import { AdminErrors } from '../errors';
import { errorAnswer } from './schemas';

const kind = z.enum(['network', 'address', 'device', 'burst']);
const cluster = z.object({
  kind,
  key: z.string(),
  members: z.number().int(),
  signIns: z.number().int(),
  topOrg: z.string(),
  topOrgShare: z.number(),
  networks: z.number().int(),
  peakShare: z.number(),
  firstAt: z.string(),
  lastAt: z.string(),
  score: z.number(),
});
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), minMembers: z.coerce.number().int().min(2).max(1000).default(5) });
const drillQuery = z
  .object({ kind, key: z.string().min(1).max(600) })
  .refine((q) => q.kind !== 'burst' || /^.+ @ \d{4}-\d\d-\d\dT\d\d:\d\dZ$/.test(q.key), { message: 'a burst key is "<organisation> @ <YYYY-MM-DDTHH:MMZ>"', path: ['key'] });
const signIn = z.object({ memberId: z.string(), name: z.string(), org: z.string(), regionId: z.number().int(), at: z.string(), ip: z.string(), userAgent: z.string().nullable() });

/**
 * Coercion analytics (issue #16), for the party-control committee only: clusters of sign-ins
 * by network, address, device and bursts of one organisation, scored and ranked
 * (packages/db coercion.repository), a CSV of them, and each cluster's sign-ins. It reads
 * sign-ins and the register, never a ballot.
 */
export default async function coercionRoutes(appBase: FastifyInstance): Promise<void> {
  const app = appBase.withTypeProvider<ZodTypeProvider>();
  const election = async () => {
    const e = await currentElectionForAuth(app.db, new Date());
    if (!e) throw new AdminErrors.ELECTION_NOT_FOUND();
    return e.id;
  };
  const guard = [app.staffAuthenticate, app.requireRole('control')];

  app.get(
    '/analytics/coercion',
    { preHandler: guard, schema: { summary: 'Suspicious sign-in clusters, ranked (control committee)', querystring: listQuery, response: { 200: z.object({ electionId: z.number().int(), clusters: z.array(cluster) }), 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (request, reply) => {
      const electionId = await election();
      reply.header('cache-control', 'no-store');
      return { electionId, clusters: await coercionClusters(app.db, electionId, request.query) };
    },
  );

  // Registered without the type provider: its answer is CSV text, not a schema's JSON.
  appBase.get(
    '/analytics/coercion.csv',
    { preHandler: guard, schema: { summary: 'The same clusters as CSV (control committee)', querystring: listQuery, response: { 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (request, reply) => {
      const electionId = await election();
      const rows = await coercionClusters(app.db, electionId, listQuery.parse(request.query));
      const columns = ['kind', 'key', 'members', 'signIns', 'topOrg', 'topOrgShare', 'networks', 'peakShare', 'firstAt', 'lastAt', 'score'];
      return reply
        .header('cache-control', 'no-store')
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="coercion-clusters-election-${electionId}.csv"`)
        .send(stringify(rows, { header: true, columns }));
    },
  );

  app.get(
    '/analytics/coercion/sign-ins',
    { preHandler: guard, schema: { summary: "One cluster's sign-ins (control committee)", querystring: drillQuery, response: { 200: z.object({ signIns: z.array(signIn) }), 400: errorAnswer, 401: errorAnswer, 403: errorAnswer, 404: errorAnswer } } },
    async (request, reply) => {
      const electionId = await election();
      reply.header('cache-control', 'no-store');
      return { signIns: await coercionClusterSignIns(app.db, electionId, request.query.kind, request.query.key) };
    },
  );
}
