import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * Paths whose values are personal or secret. The rule: logs never hold IINs, phone
 * numbers, one-time codes, tokens or ballot choices. Redaction is the safety net; the
 * first rule is not to log them at all.
 */
export const REDACT_PATHS = [
  'iin', '*.iin', '*.*.iin',
  'phone', '*.phone', '*.*.phone', 'to', '*.to',
  // A bare `code` is a one-time code; `err.code` (an error code) must stay readable.
  'code', 'otp', '*.otp', 'smsCode', '*.smsCode',
  'token', '*.token',
  'selections', '*.selections', '*.*.selections',
  'candidateIds', '*.candidateIds', 'marks', '*.marks', '*.*.marks',
  'req.headers.authorization', 'req.headers.cookie',
  'headers.authorization', 'headers.cookie',
  'body', '*.body',
];

/** Strips the query string, which may carry a phone number (e.g. /api/v1/dev/sms?phone=). */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return url;
  const q = url.indexOf('?');
  return q === -1 ? url : `${url.slice(0, q)}?…`;
}

interface RequestLike {
  method?: string;
  url?: string;
  id?: string;
  headers?: Record<string, unknown>;
  routeOptions?: { url?: string };
}

/** pino options for a service: JSON, one request line, personal data redacted. */
export function loggerOptions(service: string, level = 'info'): LoggerOptions {
  return {
    name: service,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      req(req: RequestLike) {
        return {
          method: req.method,
          url: safeUrl(req.url),
          route: req.routeOptions?.url,
          requestId: req.id,
          host: req.headers?.['host'],
        };
      },
      res(res: { statusCode?: number }) {
        return { statusCode: res.statusCode };
      },
      err: pino.stdSerializers.err,
    },
  };
}

/** A pino logger for a service or command, writing JSON lines to stdout. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino(loggerOptions(service, level));
}

export type { Logger };
