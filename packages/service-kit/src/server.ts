import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import closeWithGrace from 'close-with-grace';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { commonErrorCodes, errorBody, rawErrorBody } from './errors';

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

/**
 * Answers Node and Fastify give below the routes — a request Node cannot parse (400), headers
 * or a request line over Node's limit (431), a request not received in time (408), a path
 * parameter over the router's limit (414), an undecodable URL (400) — in the one error shape
 * `{error: {code, message}}` with a `<PREFIX>_ERR_…` code, instead of Fastify's own bodies.
 * Spread into the Fastify options next to baseServerOptions().
 */
export function errorShapeOptions(prefix: string) {
  const codes = commonErrorCodes(prefix);
  return {
    // Node answers a request without Host with a bare 400 of its own; let it through to the
    // routes instead (the gateway answers 404 GATEWAY_ERR_UNKNOWN_HOST to a missing Host).
    http: { requireHostHeader: false },
    frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : error.code === 'FST_ERR_ASYNC_CONSTRAINT' ? 500 : 400;
      const code = status === 414 ? codes.uriTooLong : status === 500 ? codes.internal : codes.validation;
      request.log.info({ errorCode: code, cause: error.code }, 'request refused before routing');
      reply.code(status).send(errorBody(request, reply, { code, message: status === 414 ? 'The request path is too long' : status === 500 ? 'Internal error' : 'The request path is not valid' }));
    },
    clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket) {
      // A reset or a destroyed socket has no one to answer.
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      let status = 400;
      let code = codes.badRequest;
      let fallback = 'The request could not be read';
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
        status = 408;
        code = codes.requestTimeout;
        fallback = 'The request was not received in time';
      } else if (err.code === 'HPE_HEADER_OVERFLOW') {
        status = 431;
        code = codes.headersTooLarge;
        fallback = 'The request headers are too large';
      }
      this.log.debug({ errorCode: code, cause: err.code }, 'client error');
      // Whatever happens next, the socket is gone within a bounded time.
      setTimeout(() => socket.destroy(), 30_000).unref();
      // Pipelined requests before the bad one are answered first, in order: the refusal is
      // written after the last of them, not in the middle of an answer.
      afterPendingAnswers(socket, () => {
        if (!socket.writable) return socket.destroy();
        const body = rawErrorBody(undefined, code, fallback);
        socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        setTimeout(() => socket.destroy(), 1000).unref();
      });
    },
  };
}

/** Runs `fn` once the socket has no answer in progress (Node queues pipelined answers behind `_httpMessage`). */
function afterPendingAnswers(socket: Socket, fn: () => void): void {
  const current = (socket as Socket & { _httpMessage?: (NodeJS.EventEmitter & { req?: { complete?: boolean } }) | null })._httpMessage;
  // No answer in progress, or the one in progress is for the request whose body broke: now.
  if (!current || socket.destroyed || current.req?.complete === false) return fn();
  let done = false;
  const next = () => {
    if (done) return;
    done = true;
    setImmediate(() => afterPendingAnswers(socket, fn));
  };
  current.once('finish', next);
  current.once('close', next);
}
