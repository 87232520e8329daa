import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

/**
 * Listens and closes gracefully on SIGINT/SIGTERM (server.ts owns listen
 * and shutdown; app.ts never listens).
 */
export async function listenWithGrace(app: FastifyInstance, { port, host }: { port: number; host: string }): Promise<void> {
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'closing after an error');
    else app.log.info({ signal }, 'closing');
    await app.close();
  });
  await app.listen({ port, host });
}

/** Options every service's Fastify instance shares. */
export function baseServerOptions() {
  return {
    // Long enough for a slow phone on a bad network, short enough to shed dead sockets.
    requestTimeout: 30_000,
    keepAliveTimeout: 65_000,
    bodyLimit: 64 * 1024,
    requestIdHeader: 'x-request-id',
    // Our own ids when the gateway didn't set one.
    genReqId: () => crypto.randomUUID(),
  } as const;
}
