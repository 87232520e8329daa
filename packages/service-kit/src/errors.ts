import createError from '@fastify/error';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { OUTAGE_RETRY_AFTER_SECONDS, dependencyFailure } from './outages';
import { errorMessage } from '@primaries/i18n';
import { requestLanguage } from './language';

/**
 * An error catalogue entry: a stable code, an HTTP status and a message template
 * (one catalogue per package, listed in docs/api.md). `defineError('VOTE_ERR_WINDOW_CLOSED', 'Voting is closed', 403)`.
 * The template is the default (English) wording; the words in kk/ru/en live in the
 * message catalogues (`errors.<CODE>` in @primaries/i18n), filled with the same
 * positional arguments, which each error keeps as `params`.
 */
export function defineError(code: string, message: string, statusCode: number) {
  const Base = createError(code, message, statusCode);
  return class extends Base {
    readonly params: readonly unknown[];
    constructor(...args: unknown[]) {
      super(...args);
      this.params = args;
    }
  };
}

/**
 * The one way an error body is written: `{error: {code, message}}` with the message in the
 * request's `Accept-Language` (kk, ru, en) when the catalogue has it; the code never changes.
 * Sets `Vary: Accept-Language` so shared caches keep one answer per language.
 */
export function errorBody<X extends Record<string, unknown> = Record<never, never>>(
  request: FastifyRequest,
  reply: FastifyReply,
  err: { code: string; message: string; params?: readonly unknown[] },
  extra: X = {} as X,
): { error: { code: string; message: string; details?: unknown } & X } {
  reply.header('vary', 'Accept-Language');
  const lang = requestLanguage(request);
  const message = (lang && errorMessage(lang, err.code, err.params)) || err.message;
  return { error: { code: err.code, message, ...extra } };
}

/** Codes every service answers with, per prefix (VOTE, RESULTS, GATEWAY, WORKER). */
export function commonErrorCodes(prefix: string) {
  return {
    validation: `${prefix}_ERR_VALIDATION`,
    notFound: `${prefix}_ERR_NOT_FOUND`,
    rateLimited: `${prefix}_ERR_RATE_LIMITED`,
    internal: `${prefix}_ERR_INTERNAL`,
    unavailable: `${prefix}_ERR_UNAVAILABLE`,
    payloadTooLarge: `${prefix}_ERR_PAYLOAD_TOO_LARGE`,
    badContentType: `${prefix}_ERR_BAD_CONTENT_TYPE`,
    /** Node could not parse the request (clientError). */
    badRequest: `${prefix}_ERR_BAD_REQUEST`,
    /** A path parameter longer than the router reads (Fastify's maxParamLength). */
    uriTooLong: `${prefix}_ERR_URI_TOO_LONG`,
    /** Request line and headers over Node's limit (16 KiB). */
    headersTooLarge: `${prefix}_ERR_HEADERS_TOO_LARGE`,
    /** The request was not received within the server's request timeout. */
    requestTimeout: `${prefix}_ERR_REQUEST_TIMEOUT`,
  };
}

/**
 * The error body as JSON text, for answers written below Fastify (a raw Node response or
 * socket): same shape and words as errorBody, from whatever request headers are known.
 */
export function rawErrorBody(headers: Record<string, string | string[] | undefined> | undefined, code: string, fallback: string, params: readonly unknown[] = []): string {
  const lang = headers ? requestLanguage({ headers } as unknown as FastifyRequest) : null;
  const message = (lang && errorMessage(lang, code, params)) || errorMessage('en', code, params) || fallback;
  return JSON.stringify({ error: { code, message } });
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; [extra: string]: unknown };
}

/** The one error handler: `{error: {code, message}}`; clients see messages only for 4xx. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance, opts: { prefix: string }) => {
    const codes = commonErrorCodes(opts.prefix);
    app.setErrorHandler((err: FastifyError & { validation?: unknown; retryAfter?: number }, request, reply) => {
      let status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      let code = err.code && /^[A-Z]+_ERR_/.test(err.code) ? err.code : undefined;
      let details: unknown;
      let retryAfter = err.retryAfter;
      const store = status >= 500 ? dependencyFailure(err) : null;
      if (store) {
        // A store is away: 503 + Retry-After, and the outage is logged once (not per request).
        request.server.outages?.report(store, err);
        status = 503;
        code = codes.unavailable;
        retryAfter ??= OUTAGE_RETRY_AFTER_SECONDS;
      } else if (err.validation) {
        status = 400;
        code = codes.validation;
        details = (err.validation as Array<{ instancePath?: string; message?: string; params?: { issue?: { path?: unknown[] } } }>).map((v) => ({
          path: v.instancePath ?? '',
          message: v.message,
        }));
      } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        code = codes.payloadTooLarge;
      } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
        code = codes.badContentType;
      } else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        status = 400;
        code = codes.validation;
      } else if (status === 429) {
        code ??= codes.rateLimited;
      }
      // A catalogue error may carry what the client needs to fix (e.g. every pre-open problem); never on a 5xx.
      if (details === undefined && status < 500) details = (err as { details?: unknown }).details;
      code ??= status >= 500 ? (status === 503 ? codes.unavailable : codes.internal) : status === 404 ? codes.notFound : codes.validation;
      // Shedding load (503) is expected under a storm: one cheap line, no stack.
      if (store) request.log.debug({ errorCode: code, dependency: store }, 'store unavailable');
      else if (status === 503) request.log.warn({ errorCode: code }, 'service unavailable');
      else if (status >= 500) request.log.error({ err }, 'request failed');
      // The catalogue's words for the code, in the client's language; a 5xx says nothing of its cause.
      const params = code === err.code ? (err as { params?: readonly unknown[] }).params : undefined;
      const body = errorBody(request, reply, { code, message: status < 500 ? err.message : 'Internal error', ...(params ? { params } : {}) });
      if (details !== undefined) body.error.details = details;
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
      reply.code(status).send(body);
    });
    app.setNotFoundHandler((request, reply) => {
      reply.code(404).send(errorBody(request, reply, { code: codes.notFound, message: `No route ${request.method} ${request.url.split('?')[0]}` }));
    });
  },
  { name: 'error-handler' },
);
